"""Incoming documents (văn bản đến), Decree 30 Điều 20–24: receive, register, submit to a
leader, direct and assign, handle, complete — with return to sender and full history."""
