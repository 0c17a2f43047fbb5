"""Signing in: passwords, lockout, sessions and personal API tokens."""
