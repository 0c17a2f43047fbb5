"""The file store: content-addressed by SHA-256, written atomically, typed by content."""
