"""Lịch công tác tuần: the commune's weekly work schedule — drafted by the office, approved
and published by a leader, each published version kept; the meetings of the week appear in
it by themselves."""
