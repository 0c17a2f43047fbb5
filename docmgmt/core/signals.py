"""Signals (blinker): side effects hang off domain events, not off the code that raises them.

"document issued" → index it, notify the recipients, queue the exchange message,
without the issuing operation knowing about any of the three.

Every signal is sent inside the transaction of the operation that raises it, after the
change is flushed; a receiver that writes (an outbox row, a search job, a text cache)
commits or rolls back with it. Receivers are connected by the ``init_app`` of the
module that owns the side effect (``docmgmt.searching``, ``docmgmt.exchange.app``).
Each entry says who sends it, with what, and who listens today.
"""

from blinker import Namespace

_signals = Namespace()

incoming_registered = _signals.signal("incoming-registered", doc="""
A document entered the incoming register (số đến), whichever way it came: by hand,
internal delivery of an outgoing document, the provincial exchange, a meeting task.
Sender: the ``IncomingDocument``; no keyword arguments.
Sent by incoming.operations. Receivers: searching (queue it for the index), exchange
(queue the statuses owed to an edXML sender).""")

incoming_changed = _signals.signal("incoming-changed", doc="""
An incoming document changed: its state, assignments, readers, files or details.
Sender: the ``IncomingDocument``; no keyword arguments.
Sent by incoming.operations and exchange.operations (files attached on receipt).
Receivers: searching (reindex it), exchange (queue the statuses owed to its sender).""")

outgoing_issued = _signals.signal("outgoing-issued", doc="""
An outgoing document was numbered and issued (cấp số, phát hành).
Sender: the ``OutgoingDocument``; no keyword arguments.
Sent by outgoing.operations.issue and issue_on_paper (signed by hand; its outside
recipients go by post). Receivers: exchange (one outbox message per outside recipient
reached through the exchange), searching (reindex it).""")

outgoing_recalled = _signals.signal("outgoing-recalled", doc="""
An issued outgoing document was recalled (thu hồi).
Sender: the ``OutgoingDocument``; no keyword arguments.
Sent by outgoing.operations.recall. Receivers: exchange (queue the revocation),
searching (reindex it).""")

outgoing_changed = _signals.signal("outgoing-changed", doc="""
An outgoing document changed before issuance: drafted, a new version, put before its
reviewers (who may now read it), approved, returned (the steps not reached are gone, and
with them their reviewers' reading), signed. Issuance and recall have their own signals.
Sender: the ``OutgoingDocument``; no keyword arguments.
Sent by outgoing.operations. Receiver: searching (reindex it).""")

meeting_changed = _signals.signal("meeting-changed", doc="""
A meeting changed in what the search index holds of it: its details, state, participants
(who may see it and open its documents), agenda items, their documents or conclusions.
Sender: the ``Meeting``; keyword argument ``removed_documents`` (ids of the agenda
documents taken off, possibly empty).
Sent by meetings.operations. Receiver: searching (reindex the meeting and its agenda
documents; drop the removed ones).""")

dossier_changed = _signals.signal("dossier-changed", doc="""
A dossier (hồ sơ) changed: opened, its details or số và ký hiệu, its documents, closed,
reopened, handed to the archive, lent or taken back — its text, state or readers.
Sender: the ``Dossier``; no keyword arguments.
Sent by records.operations (with every dossier event, and when the plan renumbers).
Receiver: searching (reindex it).""")

file_text_extracted = _signals.signal("file-text-extracted", doc="""
The text of a stored file was read while checking it (the sandboxed PDF check at
registration), so nobody need read the file again for it.
Sender: the ``StoredFile``; keyword arguments ``session`` (the SQLAlchemy session of the
operation), ``sha256`` (the content's digest, the cache key), ``text`` (str, may be
empty for a scan without a text layer) and ``pages`` (int: a few letters over many
pages is still a scan).
Sent by incoming.operations. Receiver: searching (keeps it in the ``blob_text`` cache).""")

password_reset = _signals.signal("password-reset", doc="""
An administrator set a new password for someone (the reset on the user's admin page).
Sender: the ``User``; keyword argument ``actor`` (the administrator).
Sent by org.operations.update_user. Receiver: auth (revokes the person's API tokens, as
their own password change does; their sessions end by themselves, each being bound to
the password it was opened with).""")

schedule_published = _signals.signal("schedule-published", doc="""
A week of the work schedule (lịch công tác tuần) was published: its first version, or the
next one after a change (điều chỉnh).
Sender: the ``ScheduleWeek``; keyword argument ``version`` (the ``ScheduleVersion`` made).
Sent by schedule.operations.publish. Receivers: none yet (the people concerned are
notified by the operation itself; a hall screen or a calendar feed may listen).""")
