"""The home page per role ("what is waiting for me"), notifications and /healthz."""
