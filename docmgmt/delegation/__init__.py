"""Ủy quyền: a leader away on a mission lets another leader direct incoming documents
and/or approve and sign outgoing ones in their name, for a span of days (NĐ30 Điều 13)."""
