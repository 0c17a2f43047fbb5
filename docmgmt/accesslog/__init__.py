"""The access log: who viewed, downloaded and printed which document or file, when, and
through which door (page, API, meeting room); its place on each document's history, the
counts on the document's page and the organisation's monthly statistics; and the marked
printed copy (NĐ30 Phụ lục VI §III.5.a, §III.6.a, §III.6.k, §III.6.l)."""
