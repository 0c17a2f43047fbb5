"""Administration pages: users, units and the audit log of one commune."""
