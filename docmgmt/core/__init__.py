"""Pieces every domain module uses: errors, time, text, signals, transactions."""
