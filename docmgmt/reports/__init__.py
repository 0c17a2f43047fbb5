"""Figures (thống kê, báo cáo): the leader's dashboard and the list behind each figure, the
paperless progress toward the province's target, and the legal reports on handling incoming
and outgoing documents (NĐ30 Phụ lục VI) — for the commune, a unit or a person."""
