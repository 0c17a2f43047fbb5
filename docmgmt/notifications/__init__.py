"""In-app notifications: what a person should look at next."""
