"""Outgoing documents (văn bản đi), Decree 30 Điều 10–18."""
