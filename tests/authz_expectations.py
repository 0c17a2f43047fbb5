"""Who may reach what: the expected answer of every page route, API operation and
Socket.IO event, for every role, on an object of their own unit, of another unit, of
another commune and on a confidential entry. Read by tests/test_authorization_matrix.py.

How to read a grid: one row per role (the demo commune's people in ``ROLE_USERS``:
quantri, vanthu, chutich, truongkt, cv.kt1, thuky), one column per *scope*, the
relation of the object in the URL to that person:

* ``own``      — an object of the person's own unit (the chairman belongs to no unit:
                 his "own" objects are the Economics office's, KT). For meetings: a
                 meeting the person is invited to; for tokens and notifications: the
                 person's own; for exchange messages and registers: the commune's.
* ``other``    — the same kind of object in another unit (VHXH) of the same commune;
                 a meeting the person is not invited to; a colleague's token.
* ``foreign``  — the object of another commune (Lạc Sơn).
* ``secret``   — a confidential paper-only entry (văn bản mật) of the commune; for the
                 registers, the confidential series (``?confidential=1``).

Each cell is what the door must answer:

* ``ok``  — authorization lets the request through: it is served (2xx, or a redirect
            that is not to the login page), or refused only for the object's state (409)
            or the data sent (400/422) — the test sends data that would be valid;
* ``403`` — the person may know the object, not do this (``forbidden``);
* ``404`` — the person may not know the object exists ("not found", the same answer as
            for an id that names nothing);
* ``-``   — no such object (not tested).

A signed-out visitor is not a row: every route answers them with the login page (pages)
or 401 (API; Socket.IO refuses the connection), except the routes marked ``public``.

Adding a route: add an entry under its endpoint name and method (``flask --app docmgmt
routes`` lists them), with the kind of object its URL names (``on``: incoming, personal,
outgoing, file, meeting, user, unit, token, note, session, message, register, saved_search — the test's
``World`` builds one of each per scope), what a valid request sends (``body``; ``{name}``
is replaced by the id of that name: the object's own ids, ``u_<username>``,
``unit_<abbreviation>``), and its grid — usually one of the named grids below. An endpoint
may carry several entries, one per URL variant: ``"endpoint METHOD [variant]"``.
A Socket.IO event goes in ``SOCKET_EXPECTATIONS`` the same way (its body: the payload).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from docmgmt.core.timeutil import vn_today

ROLES = ("admin", "clerk", "leader", "head_of_unit", "staff", "secretary")
SCOPES = ("own", "other", "foreign", "secret")
ANY = "any"  # the one column of a route that names no object
OK, FORBIDDEN, HIDDEN, NA = "ok", "403", "404", "-"
LOGIN = "login"  # sent to the login page (signing out does that to everyone)
OUTCOMES = {OK, FORBIDDEN, HIDDEN, NA, LOGIN}

Grid = dict[str, dict[str, str]]


def grid(text: str) -> Grid:
    """A table written as text: a header naming the scopes, then ``role outcome…``."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    assert all(s in SCOPES for s in header), header
    table = {row[0]: dict(zip(header, row[1:], strict=True)) for row in rows}
    assert set(table) == set(ROLES), sorted(table)
    assert all(v in OUTCOMES for r in table.values() for v in r.values())
    return table


def everyone(outcome: str = OK) -> Grid:
    """A route that names no object, answered alike to every signed-in person."""
    return {role: {ANY: outcome} for role in ROLES}


def only(*roles: str, others: str = FORBIDDEN) -> Grid:
    """A route that names no object, open to these roles only."""
    assert set(roles) <= set(ROLES), roles
    return {role: {ANY: OK if role in roles else others} for role in ROLES}


@dataclass(frozen=True)
class Entry:
    expect: Grid
    on: str | None = None  # the kind of object the URL names (None: none)
    body: dict | None = None  # form fields or JSON sent with a POST/PATCH/DELETE
    args: dict = field(default_factory=dict)  # URL values that are not ids (action=end)
    query: str = ""  # a query string added to the URL
    public: bool = False  # answered to signed-out visitors too
    anonymous: str | None = None  # what a signed-out visitor gets, when it is not the rule
    multipart: bool = False  # an API call sent as multipart/form-data, not JSON
    last: bool = False  # the request ends the session: sent after every other cell
    mixed: bool = False  # the URL's parent is the scope's object, its parts another commune's


# Files in a body: replaced by a small real file of that type.
PDF, PNG = "@pdf", "@png"

# --- incoming documents (văn bản đến) -------------------------------------------------------------
# The incoming objects are directed to a unit as a whole (main handler: the unit, no person
# named yet); the secret one is a paper-only entry. The administrator's account sits in the
# VP office but handles no documents (no HANDLE_ASSIGNED: nobody may direct or send a
# document to it), so what is given to the VP office as a whole is not opened to it.

INCOMING_READ = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   ok     404      ok
leader        ok   ok     404      ok
head_of_unit  ok   404    404      404
staff         ok   404    404      404
secretary     ok   404    404      404
""")
# A document given by name to a colleague of the unit: that person, and whoever reads every
# document; not the unit's other people, nor its head (the leader skipped the unit).
PERSONAL_READ = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  404  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")

# Registering, submitting, attaching scans: the clerk (văn thư).
INCOMING_CLERK = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   ok     404      ok
leader        403  403    404      403
head_of_unit  403  404    404      404
staff         403  404    404      404
secretary     403  404    404      404
""")
# Directing and re-directing: the leaders.
INCOMING_LEADER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         403  403    404      403
leader        ok   ok     404      ok
head_of_unit  403  404    404      404
staff         403  404    404      404
secretary     403  404    404      404
""")
# Returning to the sender, recording who holds the paper: the clerk or a leader.
INCOMING_CLERK_OR_LEADER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   ok     404      ok
leader        ok   ok     404      ok
head_of_unit  403  404    404      404
staff         403  404    404      404
secretary     403  404    404      404
""")
# Progress and completion: the handlers — here every member of the unit it was given to.
INCOMING_HANDLER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   403    404      403
leader        403  403    404      403
head_of_unit  ok   404    404      404
staff         ok   404    404      404
secretary     ok   404    404      404
""")
# Progress notes: the handlers; on a paper entry the state answers first (a paper entry
# is never handled), to those who may open it.
INCOMING_PROGRESS = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   403    404      ok
leader        403  403    404      ok
head_of_unit  ok   404    404      404
staff         ok   404    404      404
secretary     ok   404    404      404
""")
# A document's files (download, printed copy): its readers; a paper entry has none.
INCOMING_FILE = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")
# Handing the unit's part to one of its people: the unit's head, or a leader.
INCOMING_DELEGATE = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         403  403    404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         403  404    404      -
secretary     403  404    404      -
""")

# --- outgoing documents (văn bản đi) --------------------------------------------------------------
# Each unit's draft is written by a staff member of that unit who is none of the six
# (cv.vp, cv.kt2, cv.vhxh), put before the unit's head, to be signed by the chairman;
# the secret one is a paper-only entry of the Economics office.

OUTGOING_READ = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   ok     404      ok
leader        ok   ok     404      ok
head_of_unit  ok   404    404      404
staff         404  404    404      404
secretary     404  404    404      404
""")
# A draft's files (download, printed copy): its readers; a paper entry has none.
OUTGOING_FILE = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
# New version, submitting: the drafter alone (none of the six).
OUTGOING_DRAFTER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         403  403    404      403
leader        403  403    404      403
head_of_unit  403  404    404      404
staff         404  404    404      404
secretary     404  404    404      404
""")
# Approving, returning: the reviewer of the current step (the drafting unit's head).
OUTGOING_REVIEWER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         403  403    404      403
leader        403  403    404      403
head_of_unit  ok   404    404      404
staff         404  404    404      404
secretary     404  404    404      404
""")
# Signing (the signer), recalling (a leader).
OUTGOING_LEADER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         403  403    404      403
leader        ok   ok     404      ok
head_of_unit  403  404    404      404
staff         404  404    404      404
secretary     404  404    404      404
""")
# Numbering and issuing: the clerk.
OUTGOING_ISSUER = grid("""
              own  other  foreign  secret
admin         404  404    404      404
clerk         ok   ok     404      ok
leader        403  403    404      403
head_of_unit  403  404    404      404
staff         404  404    404      404
secretary     404  404    404      404
""")

# --- registers (sổ đến, sổ đi): own = this year's, secret = the confidential series ---------------

REGISTER = grid("""
              own  other  foreign  secret
admin         403  -      -        403
clerk         ok   -      -        ok
leader        ok   -      -        ok
head_of_unit  403  -      -        403
staff         403  -      -        403
secretary     403  -      -        403
""")

# --- stored files: the scan of each unit's incoming document -------------------------------------

FILE_READ = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")

# --- meetings: own = a meeting the six are invited to (chaired by chutich, thuky its
# secretary), other = one they are not invited to, foreign = Lạc Sơn's. ----------------------------

MEETING_VIEW = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   ok     404      -
""")
# The meeting's documents (files): the people invited — an organiser who is not, neither.
MEETING_FILE = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   404    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")
# Editing the meeting and its agenda, its documents: chair, secretary, organisers.
MEETING_MANAGE = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   ok     404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     ok   ok     404      -
""")
# Starting and ending: the chair or the secretary of that meeting.
MEETING_RUNNER = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   403    404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     ok   403    404      -
""")
# The live room and the big screen, answering the invitation: the people invited. An
# organiser who is not invited sees the meeting but not the room.
MEETING_ROOM = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   403    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   403    404      -
""")
# In the room: what any participant does.
ROOM_PARTICIPANT = MEETING_ROOM
# Withdrawing a request to speak: the person who asked (cv.kt1, the staff member).
ROOM_REQUESTER = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        403  403    404      -
head_of_unit  403  404    404      -
staff         ok   404    404      -
secretary     403  403    404      -
""")
# In the room: what the chair or the secretary does (everyone else invited: forbidden).
ROOM_RUNNER = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   403    404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     ok   403    404      -
""")
# Voting: the voting members (the chair and the four members; thuky is the secretary).
ROOM_VOTER = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   403    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     403  403    404      -
""")
# Presenting a document: the current item's presenter (truongkt), the chair, the secretary.
ROOM_PRESENTER = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   403    404      -
head_of_unit  ok   404    404      -
staff         403  404    404      -
secretary     ok   403    404      -
""")

# --- the commune: people, units, tokens, notifications, exchange messages --------------------------

USER_ADMIN = grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         403  403    403      -
leader        403  403    403      -
head_of_unit  403  403    403      -
staff         403  403    403      -
secretary     403  403    403      -
""")
# Unlocking: the account is looked up first (another commune's: not found), then the right.
USER_UNLOCK = grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         403  403    404      -
leader        403  403    404      -
head_of_unit  403  403    404      -
staff         403  403    404      -
secretary     403  403    404      -
""")
UNIT_READ = grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   ok     404      -
staff         ok   ok     404      -
secretary     ok   ok     404      -
""")
# Revoking a token: one's own; an administrator, anyone's of the commune.
TOKEN_REVOKE = grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         ok   403    404      -
leader        ok   403    404      -
head_of_unit  ok   403    404      -
staff         ok   403    404      -
secretary     ok   403    404      -
""")
# One's own sign-in sessions: ending one (another person's: not found).
SESSION_OWNER = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   404    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")
NOTE_OWNER = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   404    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")
# A saved search (searching.saved): its owner's alone; anyone else's is "not found".
SAVED_SEARCH_OWNER = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   404    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")
# Exchange messages (the commune's outbox): whoever runs the exchange.
MESSAGE = grid("""
              own  other  foreign  secret
admin         ok   -      404      -
clerk         ok   -      404      -
leader        403  -      403      -
head_of_unit  403  -      403      -
staff         403  -      403      -
secretary     403  -      403      -
""")

# A part of another commune's object named under one's own (an assignment, an agenda item, a
# file of another document): nobody gets past "not found", whatever they may do to the parent.
NOWHERE = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         404  404    404      -
leader        404  404    404      -
head_of_unit  404  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")

# --- written consultations (phiếu lấy ý kiến): own = one the six are asked in but thuky, its
# issuer (chutich its chairman); other = one none of them is asked in; foreign = Lạc Sơn's. Both
# are open. The leaders and the secretary organise meetings: they see and manage every one. ----------

CONSULTATION_VIEW = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   ok     404      -
""")
# Editing, issuing, cancelling, its documents, the result's draft; and the tally while it is open
# (a member sees it once closed): the issuer, the chairman, the organisers.
CONSULTATION_MANAGE = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   ok     404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     ok   ok     404      -
""")
# Reminding, closing early: its issuer and its chairman.
CONSULTATION_RUNNER = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   403    404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     ok   403    404      -
""")
# Answering: the members asked (not thuky, who issued it without being asked).
CONSULTATION_ASKED = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   404    404      -
leader        ok   403    404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     403  403    404      -
""")
# The conclusion: its chairman (the state answers next: an open one has none yet).
CONSULTATION_CHAIR = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  404    404      -
leader        ok   403    404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     403  403    404      -
""")

# --- what each kind's marker may be seen by (the leak check of every response) ---------------------
# A role may see an object's text (subject, title, name) exactly where this grid says ok.


# --- the weekly work schedule (lịch công tác tuần) ---------------------------------------------------
# The "schedule" object: a row of next week's draft (own), a row of Lạc Sơn's published week
# (foreign); its values also name a room of that commune's catalogue.
_THIS_MONDAY = (vn_today() - timedelta(days=vn_today().weekday())).isoformat()

SCHEDULE_READ_DRAFT = grid("""
              own  other  foreign  secret
admin         404  -      404      -
clerk         ok   -      404      -
leader        ok   -      404      -
head_of_unit  404  -      404      -
staff         404  -      404      -
secretary     ok   -      404      -
""")
# Changing a row: the office; the leaders read the draft but approve, not edit.
SCHEDULE_EDIT = grid("""
              own  other  foreign  secret
admin         404  -      404      -
clerk         ok   -      404      -
leader        403  -      404      -
head_of_unit  404  -      404      -
staff         404  -      404      -
secretary     ok   -      404      -
""")
# The week named by its Monday: those who may not read the draft are told nothing of it.
SCHEDULE_OFFICE_ACT = {**only("clerk", "secretary"), **{r: {ANY: HIDDEN} for r in ("admin", "head_of_unit", "staff")}}
SCHEDULE_APPROVER_ACT = {**only("leader"), **{r: {ANY: HIDDEN} for r in ("admin", "head_of_unit", "staff")}}
SCHEDULE_ROOM = grid("""
              own  other  foreign  secret
admin         ok   -      404      -
clerk         403  -      404      -
leader        403  -      404      -
head_of_unit  403  -      404      -
staff         403  -      404      -
secretary     403  -      404      -
""")

# The pages that print a week (print layout, DOCX, PDF): next week is a draft, which only the
# office and the leaders read; to the rest it is "not yet published".
SCHEDULE_DRAFT_WEEK = {
    **only("clerk", "secretary", "leader"),
    **{r: {ANY: HIDDEN} for r in ("admin", "head_of_unit", "staff")},
}
# A calendar feed link: its person revokes it; another's is theirs (403); another commune's, unknown.
SCHEDULE_LINK_OWNER = grid("""
              own  other  foreign  secret
admin         ok   403    404      -
clerk         ok   403    404      -
leader        ok   403    404      -
head_of_unit  ok   403    404      -
staff         ok   403    404      -
secretary     ok   403    404      -
""")

# --- electronic records (hồ sơ điện tử) ----------------------------------------------------------------
# The "plan" object: this year's Danh mục hồ sơ, approved (own), next year's, a draft (other),
# Lạc Sơn's (foreign, of a year Kim Bôi has none of); its values name a heading of it. The
# "dossier" object: an open dossier of the unit's colleague (none of the six) holding the
# unit's incoming document and the one given to that colleague by name; "transfer": that
# colleague's closed dossier announced for transfer to the archive (nộp lưu).

# An approved plan is everyone's (the basis of filing); a draft, the archive's and the approvers'.
RECORDS_PLAN_READ = grid("""
              own  other  foreign  secret
admin         ok   404    404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
""")
# Drafting it (headings, rows, numbering; taking it back to draft): the archive role (the clerk).
RECORDS_PLAN_EDIT = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         ok   ok     404      -
leader        403  403    404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     403  404    404      -
""")
RECORDS_PLAN_APPROVE = grid("""
              own  other  foreign  secret
admin         403  404    404      -
clerk         403  403    404      -
leader        ok   ok     404      -
head_of_unit  403  404    404      -
staff         403  404    404      -
secretary     403  404    404      -
""")
# A dossier: its person responsible, the head of their unit, whoever reads every document,
# the archive role.
RECORDS_DOSSIER_READ = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
# Opening, filing, closing: its person responsible alone (none of the six).
RECORDS_RESPONSIBLE = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         403  403    404      -
leader        403  403    404      -
head_of_unit  403  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
# Reopening a closed dossier: the head of the commune (here the dossier is open: refused on its state).
RECORDS_REOPEN = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         403  403    404      -
leader        ok   ok     404      -
head_of_unit  403  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
# Lending, taking back, removing a planned row: the archive role (refused here on the state).
RECORDS_ARCHIVE_ACT = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        403  403    404      -
head_of_unit  403  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
# A transfer: the person handing over, the head of their unit, the archive role.
RECORDS_TRANSFER_READ = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        404  404    404      -
head_of_unit  ok   404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
RECORDS_TRANSFER_SUBMIT = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         403  403    404      -
leader        404  404    404      -
head_of_unit  403  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
RECORDS_TRANSFER_RECEIVE = grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         ok   ok     404      -
leader        404  404    404      -
head_of_unit  403  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
""")
# A dossier's title is a row of the approved plan: everyone of the commune reads it.
RECORDS_DOSSIER_TITLE = grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         ok   ok     404      -
leader        ok   ok     404      -
head_of_unit  ok   ok     404      -
staff         ok   ok     404      -
secretary     ok   ok     404      -
""")

SEES = {
    "incoming": INCOMING_READ,
    "personal": PERSONAL_READ,
    "outgoing": OUTGOING_READ,
    "meeting": MEETING_VIEW,
    "note": NOTE_OWNER,
    "saved_search": SAVED_SEARCH_OWNER,  # its name: its owner's alone
    # A token's name: its owner; the administrator (who revokes anyone's) and the leaders
    # too, who read the audit log ("token created: <name>").
    "token": grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         ok   404    404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
"""),
    "message": grid("""
              own  other  foreign  secret
admin         ok   -      404      -
clerk         ok   -      404      -
leader        404  -      404      -
head_of_unit  404  -      404      -
staff         404  -      404      -
secretary     404  -      404      -
"""),
    "schedule": SCHEDULE_READ_DRAFT,  # a draft week's rows: the office and the leaders
    # A feed link's name: its person; the administrator and the leaders too, who read the audit
    # log ("link created: <name>"), as for a token.
    "schedule_link": grid("""
              own  other  foreign  secret
admin         ok   ok     404      -
clerk         ok   404    404      -
leader        ok   ok     404      -
head_of_unit  ok   404    404      -
staff         ok   404    404      -
secretary     ok   404    404      -
"""),
    "consultation": CONSULTATION_VIEW,
    "plan": RECORDS_PLAN_READ,
    "dossier": RECORDS_DOSSIER_TITLE,
    "transfer": RECORDS_TRANSFER_READ,
    "user": UNIT_READ,  # colleagues' names are no secret inside the commune
    "unit": UNIT_READ,
}

# --- bodies --------------------------------------------------------------------------------------

_DIRECTION = {"main": "unit:{unit_VHXH}", "co": [], "info": [], "text": "Giao Phòng Văn hóa - Xã hội chủ trì"}
_MEETING_FORM = {
    "title": "Họp kiểm tra phân quyền",
    "day": "{meeting_day}",
    "start_time": "14:00",
    "end_time": "16:00",
    "location": "Phòng họp tầng 2",
    "chair_id": "{u_chutich}",
    "secretary_id": "{u_thuky}",
    "members": ["{u_truongkt}"],
    "guests": [],
}
# The same meeting through the API: JSON, times in ISO 8601 (Vietnam time when naive).
_MEETING_JSON = {
    "title": "Họp kiểm tra phân quyền",
    "starts_at": "2030-03-15T14:00:00",
    "ends_at": "2030-03-15T16:00:00",
    "location": "Phòng họp tầng 2",
    "chair_id": "{u_chutich}",
    "secretary_id": "{u_thuky}",
    "members": ["{u_truongkt}"],
    "guests": [],
}

# A consultation asking one member a question, due in a week.
_CONSULTATION_FORM = {
    "title": "Xin ý kiến kiểm tra phân quyền",
    "questions_text": "Đồng ý thông qua?",
    "deadline_day": "{meeting_day}",
    "deadline_time": "17:00",
    "chair_id": "{u_chutich}",
    "members": ["{u_truongkt}"],
}
_CONSULTATION_JSON = {
    "title": "Xin ý kiến kiểm tra phân quyền",
    "questions": ["Đồng ý thông qua?"],
    "deadline": "{deadline_iso}",
    "chair_id": "{u_chutich}",
    "members": ["{u_truongkt}"],
}

# The figures (dashboard, lists, reports): everyone with a report level; not the administrator.
REPORTS = only("clerk", "leader", "head_of_unit", "staff", "secretary")

# --- every route ------------------------------------------------------------------------------------

# A delegation: the chairman lets a vice-chairman sign for him today (Vietnam date).
_DELEGATION_FORM = {"delegate_id": "{u_phochutich_kt}", "powers": "sign", "start_date": "{today}",
                    "end_date": "{today}", "reason": "Đi công tác"}
_DELEGATION_API = {"delegate_id": "{u_phochutich_kt}", "powers": ["sign"], "start_date": vn_today().isoformat(),
                   "end_date": vn_today().isoformat(), "reason": "Đi công tác"}
_NO_DELEGATION = {"delegation_id": 2**31}

EXPECTATIONS: dict[str, Entry] = {
    # signed-out doors
    "home.healthz GET": Entry(everyone(), public=True),
    "_favicon GET": Entry(everyone(), public=True),
    "static GET": Entry(everyone(), public=True, args={"filename": "app.css"}),
    "auth.login GET": Entry(everyone(), public=True),
    # Wrong credentials: 401 for the visitor; a signed-in person is sent home.
    "auth.login POST": Entry(
        everyone(), public=True, anonymous="401", body={"username": "khongco", "password": "sai-mat-khau"}
    ),
    "auth.set_language POST": Entry(everyone(), public=True, args={"code": "vi"}, body={"next": "/"}),
    "api-docs.openapi_json GET": Entry(everyone(), public=True),
    "auth.logout POST": Entry(everyone(LOGIN), body={}, last=True),
    "auth.end_other_sessions POST": Entry(everyone(), body={}),
    "auth.end_session POST": Entry(SESSION_OWNER, on="session", body={}),
    # one's own account
    "home.index GET": Entry(everyone()),
    "home.notifications GET": Entry(everyone()),
    "home.read_notification POST": Entry(NOTE_OWNER, on="note", body={}),
    "auth.account GET": Entry(everyone()),
    "auth.account POST": Entry(
        everyone(), body={"current": "khong-dung", "new": "matkhau-moi-dai", "confirm": "khong-khop"}
    ),
    "auth.tokens GET": Entry(everyone()),
    "auth.tokens POST": Entry(everyone(), body={"name": "Máy chủ báo cáo", "days": "30"}),
    "auth.revoke POST": Entry(TOKEN_REVOKE, on="token", body={}),
    "api-org.Me GET": Entry(everyone()),
    "api-tokens.Tokens GET": Entry(everyone()),
    "api-tokens.Tokens POST": Entry(everyone(), body={"name": "Máy chủ báo cáo", "days": 30}),
    "api-tokens.TokenItem DELETE": Entry(TOKEN_REVOKE, on="token"),
    # administration
    "admin.users GET": Entry(only("admin")),
    "admin.new_user GET": Entry(only("admin")),
    "admin.new_user POST": Entry(
        only("admin"),
        body={
            "username": "cv.moi",
            "full_name": "Nguyễn Thị Mới",
            "password": "matkhau-rat-dai",
            "roles": ["staff"],
            "unit_id": "{unit_KT}",
            "active": "y",
        },
    ),
    "admin.edit_user GET": Entry(USER_ADMIN, on="user"),
    "admin.edit_user POST": Entry(
        USER_ADMIN, on="user", body={"full_name": "Tên Đã Sửa", "roles": ["staff"], "unit_id": "", "active": "y"}
    ),
    "admin.unlock_user POST": Entry(USER_UNLOCK, on="user", body={}),
    "admin.units GET": Entry(only("admin")),
    "admin.units POST": Entry(only("admin"), body={"name": "Phòng Tư pháp", "abbreviation": "TP"}),
    "admin.paperless_target POST": Entry(only("admin"), body={"target-target": "30/09/2026"}),
    # The log shows every entry, but an entry's summary about a document or a meeting only
    # to a reader who may open it (audit.operations.readable_entries): checked for leaks.
    "admin.audit GET": Entry(only("admin", "leader")),
    "accesslog.statistics GET": Entry(only("admin", "leader")),
    "api-org.Users GET": Entry(only("admin")),
    "api-org.Users POST": Entry(
        only("admin"),
        body={"username": "cv.moi", "full_name": "Nguyễn Thị Mới", "password": "matkhau-rat-dai", "roles": ["staff"]},
    ),
    "api-org.UserItem GET": Entry(USER_ADMIN, on="user"),
    "api-org.UserItem PATCH": Entry(USER_ADMIN, on="user", body={"full_name": "Tên Đã Sửa"}),
    "api-org.Units GET": Entry(everyone()),
    "api-org.Units POST": Entry(only("admin"), body={"name": "Phòng Tư pháp", "abbreviation": "TP"}),
    "api-org.UnitItem GET": Entry(UNIT_READ, on="unit"),
    "api-audit.Audit GET": Entry(only("admin", "leader")),
    "api-audit.AuditVerify GET": Entry(only("admin", "leader")),
    # search
    "search.results GET": Entry(everyone(), query="q=phân quyền"),
    "search.suggest GET": Entry(everyone(), query="q=phân quy"),
    "api-search.Search GET": Entry(everyone(), query="q=phân quyền"),
    # saved searches: one's own (the "saved_search" object: each person's, a colleague's,
    # Lạc Sơn's); the export reads the results through the search, as the page does
    "search.saved_index GET": Entry(everyone()),
    "search.save POST": Entry(
        everyone(), body={"name": "Văn bản phân quyền", "q": "phân quyền", "columns": ["number", "subject"]}
    ),
    "search.rerun GET": Entry(SAVED_SEARCH_OWNER, on="saved_search"),
    "search.rename POST": Entry(SAVED_SEARCH_OWNER, on="saved_search", body={"s{saved_id}-name": "Tên đã đổi"}),
    "search.delete_saved POST": Entry(SAVED_SEARCH_OWNER, on="saved_search", body={}),
    "search.export_results POST": Entry(
        everyone(), body={"q": "phân quyền", "format": "docx", "columns": ["number", "subject"]}
    ),
    "api-search.SavedSearches GET": Entry(everyone()),
    "api-search.SavedSearches POST": Entry(
        everyone(), body={"name": "Văn bản phân quyền", "q": "phân quyền", "columns": ["subject"]}
    ),
    "api-search.SavedSearchItem PATCH": Entry(SAVED_SEARCH_OWNER, on="saved_search", body={"name": "Tên đã đổi"}),
    "api-search.SavedSearchItem DELETE": Entry(SAVED_SEARCH_OWNER, on="saved_search"),
    "api-search.Export GET": Entry(everyone(), query="q=phân quyền&format=docx"),
    # figures: whoever handles documents sees their own, a head their unit's, the leaders and
    # the clerk the commune's; an administrator's account has none (reports.scope.level_of)
    "reports.dashboard GET": Entry(REPORTS),
    "reports.drilldown GET": Entry(REPORTS, query="figure=incoming.received"),
    "reports.paperless GET": Entry(REPORTS),
    "reports.incoming_report GET": Entry(REPORTS),
    "reports.outgoing_report GET": Entry(REPORTS),
    "reports.dashboard_xlsx GET": Entry(REPORTS),
    "api-reports.Dashboard GET": Entry(REPORTS),
    "api-reports.Documents GET": Entry(REPORTS, query="figure=load.open"),
    "api-reports.Paperless GET": Entry(REPORTS),
    "api-reports.IncomingReport GET": Entry(REPORTS),
    "api-reports.OutgoingReport GET": Entry(REPORTS),
    # files
    "files.download GET": Entry(FILE_READ, on="file"),
    "files.download GET [a draft's file]": Entry(OUTGOING_FILE, on="outgoing"),
    "files.download GET [a meeting's document]": Entry(MEETING_FILE, on="meeting"),
    "api-files.FileItem GET": Entry(FILE_READ, on="file"),
    "api-files.FileItem GET [a draft's file]": Entry(OUTGOING_FILE, on="outgoing"),
    "api-files.FileItem GET [a meeting's document]": Entry(MEETING_FILE, on="meeting"),
    "api-files.FileContent GET": Entry(FILE_READ, on="file"),
    "api-files.Files POST": Entry(everyone(), body={"file": PNG}, multipart=True),
    "signatures.verify_file GET": Entry(FILE_READ, on="file"),
    "signatures.verify GET": Entry(everyone()),
    "signatures.verify POST": Entry(everyone(), body={"file": PDF}),
    "api-signatures.VerifyUpload POST": Entry(everyone(), body={"file": PDF}, multipart=True),
    # the exchange
    "exchange.index GET": Entry(only("admin", "clerk")),
    "exchange.retry POST": Entry(MESSAGE, on="message", body={}),
    "api-exchange.Overview GET": Entry(only("admin", "clerk")),
    "api-exchange.OutgoingStatus GET": Entry(OUTGOING_READ, on="outgoing"),
    # incoming: pages
    "incoming.index GET": Entry(everyone()),
    "incoming.mine GET": Entry(only("clerk", "leader", "head_of_unit", "staff", "secretary")),
    "incoming.awaiting GET": Entry(only("leader")),
    "incoming.new GET": Entry(only("clerk")),
    "incoming.new POST": Entry(
        only("clerk"),
        body={
            "sender_name": "Sở Tư pháp tỉnh Phú Thọ",
            "number_symbol": "77/STP-VP",
            "subject": "Về việc phổ biến luật",
            "doc_type": "cong_van",
            "urgency": "thuong",
            "confidentiality": "thuong",
            "files": PNG,
        },
    ),
    "incoming.register_book GET": Entry(REGISTER, on="register"),
    "incoming_export.export_xlsx GET": Entry(REGISTER, on="register"),
    "incoming_export.export_pdf GET": Entry(REGISTER, on="register"),
    "incoming.show GET": Entry(INCOMING_READ, on="incoming"),
    "incoming.show GET [given to a colleague by name]": Entry(PERSONAL_READ, on="personal"),
    "incoming.document_file GET": Entry(INCOMING_FILE, on="incoming"),
    "incoming.print_file GET": Entry(INCOMING_FILE, on="incoming"),
    # the scan with a text layer made by OCR (the world gives every file one)
    "incoming.file_copy GET": Entry(INCOMING_FILE, on="incoming", args={"copy": "ocr"}),
    "incoming.submit POST": Entry(INCOMING_CLERK, on="incoming", body={"submit-leader_id": "", "submit-comment": ""}),
    "incoming.direct POST": Entry(
        INCOMING_LEADER, on="incoming", body={f"direct-{k}": v for k, v in _DIRECTION.items()}
    ),
    "incoming.reassign POST": Entry(
        INCOMING_LEADER,
        on="incoming",
        body={**{f"reassign-{k}": v for k, v in _DIRECTION.items()}, "reassign-reason": "Đổi đơn vị chủ trì"},
    ),
    "incoming.return_to_sender POST": Entry(
        INCOMING_CLERK_OR_LEADER, on="incoming", body={"return_to_sender-reason": "Không thuộc thẩm quyền"}
    ),
    "incoming.progress POST": Entry(INCOMING_PROGRESS, on="incoming", body={"progress-text": "Đã liên hệ đơn vị"}),
    "incoming.complete POST": Entry(INCOMING_HANDLER, on="incoming", body={"complete-summary": "Đã giải quyết"}),
    "incoming.attach_files POST": Entry(INCOMING_CLERK, on="incoming", body={"attach_files-files": PNG}),
    "incoming.transfer_paper POST": Entry(
        INCOMING_CLERK_OR_LEADER, on="incoming", body={"transfer_paper-holder": "Hoàng Minh Tuấn"}
    ),
    "incoming.delegate POST": Entry(
        INCOMING_DELEGATE,
        on="incoming",
        body={
            "delegate{assignment_id}-assignment_id": "{assignment_id}",
            "delegate{assignment_id}-user_id": "{member_id}",
        },
    ),
    "incoming.delegate POST [another commune's assignment]": Entry(
        NOWHERE,
        on="incoming",
        mixed=True,
        body={
            "delegate{assignment_id}-assignment_id": "{assignment_id}",
            "delegate{assignment_id}-user_id": "{member_id}",
        },
    ),
    "incoming.document_file GET [another commune's file]": Entry(NOWHERE, on="incoming", mixed=True),
    # incoming: API
    "api-incoming.IncomingCollection GET": Entry(everyone()),
    "api-incoming.IncomingCollection POST": Entry(
        only("clerk"),
        body={
            "sender_name": "Sở Tư pháp tỉnh Phú Thọ",
            "number_symbol": "78/STP-VP",
            "subject": "Về việc phổ biến luật",
        },
    ),
    "api-incoming.MyQueue GET": Entry(everyone()),
    "api-incoming.AwaitingDirection GET": Entry(everyone()),
    "api-incoming.RegisterRows GET": Entry(REGISTER, on="register"),
    "api-incoming.RegisterXlsx GET": Entry(REGISTER, on="register"),
    "api-incoming.RegisterPdf GET": Entry(REGISTER, on="register"),
    "api-incoming.IncomingItem GET": Entry(INCOMING_READ, on="incoming"),
    "api-incoming.IncomingItem GET [given to a colleague by name]": Entry(PERSONAL_READ, on="personal"),
    "api-incoming.IncomingFiles POST": Entry(INCOMING_CLERK, on="incoming", body={"files": PNG}, multipart=True),
    "api-incoming.Submit POST": Entry(INCOMING_CLERK, on="incoming", body={}),
    "api-incoming.Direct POST": Entry(INCOMING_LEADER, on="incoming", body=_DIRECTION),
    "api-incoming.Reassign POST": Entry(INCOMING_LEADER, on="incoming", body={**_DIRECTION, "reason": "Đổi"}),
    "api-incoming.ReturnToSender POST": Entry(
        INCOMING_CLERK_OR_LEADER, on="incoming", body={"reason": "Không thuộc thẩm quyền"}
    ),
    "api-incoming.Progress POST": Entry(INCOMING_PROGRESS, on="incoming", body={"text": "Đã liên hệ đơn vị"}),
    "api-incoming.Complete POST": Entry(INCOMING_HANDLER, on="incoming", body={"summary": "Đã giải quyết"}),
    "api-incoming.TransferPaper POST": Entry(
        INCOMING_CLERK_OR_LEADER, on="incoming", body={"holder": "Hoàng Minh Tuấn"}
    ),
    "api-incoming.Delegate POST": Entry(INCOMING_DELEGATE, on="incoming", body={"user_id": "{member_id}"}),
    "api-incoming.Delegate POST [another commune's assignment]": Entry(
        NOWHERE, on="incoming", mixed=True, body={"user_id": "{member_id}"}
    ),
    # outgoing: pages
    "outgoing.index GET": Entry(everyone()),
    "outgoing.drafts GET": Entry(only("clerk", "leader", "head_of_unit", "staff", "secretary")),
    "outgoing.review GET": Entry(everyone()),
    "outgoing.to_sign GET": Entry(only("leader")),
    "outgoing.to_issue GET": Entry(only("clerk")),
    "outgoing.new GET": Entry(only("clerk", "leader", "head_of_unit", "staff", "secretary")),
    "outgoing.new POST": Entry(
        only("clerk", "leader", "head_of_unit", "staff", "secretary"),
        body={
            "doc_type": "cong_van",
            "subject": "Về việc báo cáo tiến độ",
            "source": "template",
            "body": "Kính gửi các phòng.",
            "signer_id": "{u_chutich}",
            "recipients": ["unit:{unit_VHXH}"],
            "urgency": "thuong",
        },
    ),
    "outgoing.register_book GET": Entry(REGISTER, on="register"),
    "outgoing_export.export_xlsx GET": Entry(REGISTER, on="register"),
    "outgoing_export.export_pdf GET": Entry(REGISTER, on="register"),
    "outgoing.show GET": Entry(OUTGOING_READ, on="outgoing"),
    "outgoing.document_file GET": Entry(OUTGOING_FILE, on="outgoing"),
    "outgoing.print_file GET": Entry(OUTGOING_FILE, on="outgoing"),
    "outgoing.file_copy GET": Entry(OUTGOING_FILE, on="outgoing", args={"copy": "ocr"}),
    "outgoing.new_version POST": Entry(
        OUTGOING_DRAFTER, on="outgoing", body={"new_version-file": PDF, "new_version-note": "Sửa đoạn 2"}
    ),
    "outgoing.submit POST": Entry(OUTGOING_DRAFTER, on="outgoing", body={"submit-signer_id": "{u_chutich}"}),
    "outgoing.approve POST": Entry(OUTGOING_REVIEWER, on="outgoing", body={"approve-comment": "Đồng ý"}),
    "outgoing.return_draft POST": Entry(OUTGOING_REVIEWER, on="outgoing", body={"return-comment": "Sửa số liệu"}),
    "outgoing.sign POST": Entry(OUTGOING_LEADER, on="outgoing", body={}),
    "outgoing.issue POST": Entry(OUTGOING_ISSUER, on="outgoing", body={"issue-issued_on": "{today}"}),
    "outgoing.recall POST": Entry(OUTGOING_LEADER, on="outgoing", body={"recall-reason": "Sai căn cứ"}),
    "outgoing.issue_on_paper POST": Entry(
        OUTGOING_ISSUER, on="outgoing", body={"issue_on_paper-file": PDF, "issue_on_paper-issued_on": "{today}"}
    ),
    "outgoing.document_file GET [another commune's file]": Entry(NOWHERE, on="outgoing", mixed=True),
    # outgoing: API
    "api-outgoing.OutgoingCollection GET": Entry(everyone()),
    "api-outgoing.OutgoingCollection POST": Entry(
        only("clerk", "leader", "head_of_unit", "staff", "secretary"),
        body={
            "doc_type": "cong_van",
            "subject": "Về việc báo cáo tiến độ",
            "signer_id": "{u_chutich}",
            "body": ["Kính gửi các phòng."],
        },
    ),
    "api-outgoing.MyDrafts GET": Entry(everyone()),
    "api-outgoing.ReviewQueue GET": Entry(everyone()),
    "api-outgoing.SignQueue GET": Entry(everyone()),
    "api-outgoing.IssueQueue GET": Entry(everyone()),
    "api-outgoing.RegisterRows GET": Entry(REGISTER, on="register"),
    "api-outgoing.RegisterXlsx GET": Entry(REGISTER, on="register"),
    "api-outgoing.RegisterPdf GET": Entry(REGISTER, on="register"),
    "api-outgoing.OutgoingItem GET": Entry(OUTGOING_READ, on="outgoing"),
    "api-outgoing.DocumentSignatures GET": Entry(OUTGOING_READ, on="outgoing"),
    "api-outgoing.Versions POST": Entry(
        OUTGOING_DRAFTER, on="outgoing", body={"file": PDF, "note": "Bản 2"}, multipart=True
    ),
    "api-outgoing.Submit POST": Entry(OUTGOING_DRAFTER, on="outgoing", body={"signer_id": "{u_chutich}"}),
    "api-outgoing.Approve POST": Entry(OUTGOING_REVIEWER, on="outgoing", body={"comment": "Đồng ý"}),
    "api-outgoing.Return POST": Entry(OUTGOING_REVIEWER, on="outgoing", body={"comment": "Sửa số liệu"}),
    "api-outgoing.Sign POST": Entry(OUTGOING_LEADER, on="outgoing", body={}),
    "api-outgoing.Issue POST": Entry(OUTGOING_ISSUER, on="outgoing", body={}),
    "api-outgoing.Recall POST": Entry(OUTGOING_LEADER, on="outgoing", body={"reason": "Sai căn cứ"}),
    "api-outgoing.IssueOnPaper POST": Entry(OUTGOING_ISSUER, on="outgoing", body={"file": PDF}, multipart=True),
    # meetings
    "meetings.index GET": Entry(everyone()),
    "meetings.calendar GET": Entry(everyone()),
    "meetings.new GET": Entry(only("leader", "secretary")),
    "meetings.new POST": Entry(only("leader", "secretary"), body=_MEETING_FORM),
    "meetings.show GET": Entry(MEETING_VIEW, on="meeting"),
    "meetings.edit GET": Entry(MEETING_MANAGE, on="meeting"),
    "meetings.edit POST": Entry(MEETING_MANAGE, on="meeting", body=_MEETING_FORM),
    "meetings.change_status POST": Entry(MEETING_RUNNER, on="meeting", args={"action": "end"}, body={}),
    "meetings.rsvp POST": Entry(MEETING_ROOM, on="meeting", body={"rsvp-answer": "attend"}),
    "meetings.record_on_paper POST": Entry(
        MEETING_MANAGE, on="meeting", body={"paper-note": "Họp bằng giấy tại hội trường, đủ thành phần."}
    ),
    "meetings.add_item POST": Entry(
        MEETING_MANAGE,
        on="meeting",
        body={"item-title": "Mục thêm", "item-presenter_id": "", "item-duration_minutes": "10"},
    ),
    "meetings.update_item POST": Entry(
        MEETING_MANAGE,
        on="meeting",
        body={
            "item{item_id}-title": "Mục đã sửa",
            "item{item_id}-presenter_id": "",
            "item{item_id}-duration_minutes": "10",
        },
    ),
    "meetings.remove_item POST": Entry(MEETING_MANAGE, on="meeting", body={}),
    "meetings.move_item POST": Entry(MEETING_MANAGE, on="meeting", args={"direction": "down"}, body={}),
    "meetings.attach POST": Entry(
        MEETING_MANAGE, on="meeting", body={"attach{item_id}-source": "upload", "attach{item_id}-file": PDF}
    ),
    "meetings.remove_document POST": Entry(MEETING_MANAGE, on="meeting", body={}),
    "meetings.invitation_docx GET": Entry(MEETING_VIEW, on="meeting"),
    "meetings.invitation_draft POST": Entry(MEETING_MANAGE, on="meeting", body={}),
    "meetings.minutes_docx GET": Entry(MEETING_VIEW, on="meeting"),
    # The state answers first (a meeting not ended has no minutes), to whoever sees it.
    "meetings.minutes_draft POST": Entry(MEETING_VIEW, on="meeting", body={}),
    "meetings.add_task POST": Entry(
        MEETING_MANAGE,
        on="meeting",
        body={"task{item_id}-assignee": "unit:{unit_KT}", "task{item_id}-text": "Triển khai kết luận"},
    ),
    "meetings.update_item POST [another commune's item]": Entry(
        NOWHERE,
        on="meeting",
        mixed=True,
        body={"item{item_id}-title": "Mục", "item{item_id}-presenter_id": "", "item{item_id}-duration_minutes": "10"},
    ),
    "meetings.remove_item POST [another commune's item]": Entry(NOWHERE, on="meeting", mixed=True, body={}),
    "meetings.move_item POST [another commune's item]": Entry(
        NOWHERE, on="meeting", mixed=True, args={"direction": "down"}, body={}
    ),
    "meetings.attach POST [another commune's item]": Entry(
        NOWHERE, on="meeting", mixed=True, body={"attach{item_id}-source": "upload", "attach{item_id}-file": PDF}
    ),
    "meetings.remove_document POST [another commune's document]": Entry(NOWHERE, on="meeting", mixed=True, body={}),
    "meetings.add_task POST [another commune's item]": Entry(
        NOWHERE,
        on="meeting",
        mixed=True,
        body={"task{item_id}-assignee": "unit:{unit_KT}", "task{item_id}-text": "Triển khai kết luận"},
    ),
    "meetings.room GET": Entry(MEETING_ROOM, on="meeting"),
    "meetings.screen GET": Entry(MEETING_ROOM, on="meeting"),
    # the weekly work schedule (lịch công tác tuần): pages. The world's week is next week's draft
    # (a row carrying the marker): every page of a week opens to everyone, who reads what they
    # may (the draft: the office and the leaders; "not yet published" to the rest).
    "schedule.index GET": Entry(everyone()),
    "schedule.week GET": Entry(everyone()),
    "schedule.versions GET": Entry(everyone()),
    "schedule.mine GET": Entry(everyone()),
    "schedule.room_week GET": Entry(everyone()),
    "schedule.change_status POST": Entry(SCHEDULE_OFFICE_ACT, args={"action": "submit"}, body={}),
    "schedule.change_status POST [revise]": Entry(SCHEDULE_OFFICE_ACT, args={"action": "revise"}, body={}),
    "schedule.change_status POST [publish]": Entry(SCHEDULE_APPROVER_ACT, args={"action": "publish"}, body={}),
    "schedule.change_status POST [return]": Entry(
        SCHEDULE_APPROVER_ACT, args={"action": "return"}, body={"return-note": "Bổ sung lịch thứ Sáu"}
    ),
    "schedule.new_entry GET": Entry(only("clerk", "secretary")),
    "schedule.new_entry POST": Entry(
        only("clerk", "secretary"), body={"day": "{monday}", "start_time": "08:00", "title": "Giao ban tuần"}
    ),
    "schedule.edit_entry GET": Entry(SCHEDULE_EDIT, on="schedule"),
    "schedule.edit_entry POST": Entry(
        SCHEDULE_EDIT, on="schedule", body={"day": "{monday}", "start_time": "09:00", "title": "Giao ban tuần"}
    ),
    "schedule.delete_entry POST": Entry(SCHEDULE_EDIT, on="schedule", body={}),
    "schedule.rooms_catalogue GET": Entry(only("admin")),
    "schedule.rooms_catalogue POST": Entry(only("admin"), body={"room-name": "Phòng họp kiểm tra mới"}),
    "schedule.print_week GET": Entry(SCHEDULE_DRAFT_WEEK),
    "schedule.export GET": Entry(SCHEDULE_DRAFT_WEEK, args={"fmt": "pdf"}),
    "schedule.export GET [docx]": Entry(SCHEDULE_DRAFT_WEEK, args={"fmt": "docx"}),
    # The big screen: signed in, this week as published; through a link, a token (one that
    # opens nothing here: the good ones are tests/test_schedule_pages.py's).
    "schedule.screen GET": Entry(everyone()),
    "schedule.screen_content GET": Entry(everyone()),
    "schedule.public_screen GET": Entry(
        everyone(HIDDEN), public=True, anonymous=HIDDEN, args={"token": "xstv_khong-co-ma-nay"}
    ),
    "schedule.public_screen_content GET": Entry(
        everyone(HIDDEN), public=True, anonymous=HIDDEN, args={"token": "xstv_khong-co-ma-nay"}
    ),
    "schedule.feed GET": Entry(everyone(HIDDEN), public=True, anonymous=HIDDEN, args={"token": "xscal_khong-co"}),
    "schedule.links_page GET": Entry(everyone()),
    "schedule.links_page POST": Entry(everyone(), body={"link-kind": "feed", "link-name": "Điện thoại"}),
    "schedule.links_page POST [a screen]": Entry(
        only("clerk", "secretary", "leader"), body={"link-kind": "screen", "link-name": "TV hội trường"}
    ),
    "schedule.revoke_link POST": Entry(SCHEDULE_LINK_OWNER, on="schedule_link", body={}),
    # delegations (ủy quyền): a leader gives one; the leaders and the clerk have the page (the
    # clerk sees who signs for whom); the API's list is what each may see (empty for most).
    # The world holds no delegation: a delegation's own URL names one that does not exist
    # ("not found" to all); who may open and end one is tests/test_delegation.py's.
    "delegation.index GET": Entry(only("leader", "clerk")),
    "delegation.new GET": Entry(only("leader")),
    "delegation.new POST": Entry(only("leader"), body=_DELEGATION_FORM),
    "delegation.show GET": Entry(everyone(HIDDEN), args=_NO_DELEGATION),
    "delegation.end POST": Entry(everyone(HIDDEN), args=_NO_DELEGATION, body={"end-reason": "Đã về"}),
    "api-delegations.Delegations GET": Entry(everyone()),
    "api-delegations.Delegations POST": Entry(only("leader"), body=_DELEGATION_API),
    "api-delegations.DelegationItem GET": Entry(everyone(HIDDEN), args=_NO_DELEGATION),
    "api-delegations.EndDelegation POST": Entry(everyone(HIDDEN), args=_NO_DELEGATION, body={}),
    # electronic records: the API (see the grids above for the world's objects)
    "api-records.Plans GET": Entry(everyone()),
    "api-records.Plans POST": Entry(only("clerk"), body={"year": 2050, "copy_previous": False}),
    "api-records.PlanOfYear GET": Entry(RECORDS_PLAN_READ, on="plan"),
    "api-records.PlanNumbering PUT": Entry(RECORDS_PLAN_EDIT, on="plan", body={"numbering": "heading"}),
    "api-records.PlanHeadings POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={"title": "Đề mục mới", "code": "MOI"}),
    "api-records.Heading PUT": Entry(RECORDS_PLAN_EDIT, on="plan", body={"title": "Đề mục sửa", "code": "SUA"}),
    "api-records.Heading DELETE": Entry(RECORDS_PLAN_EDIT, on="plan"),
    "api-records.PlanDossiers POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={
        "heading_id": "{heading_id}", "title": "Hồ sơ mới", "retention_years": 5, "responsible_id": "{u_cv_kt1}"}),
    "api-records.UnplannedDossier POST": Entry(RECORDS_PLAN_READ, on="plan", body={
        "heading_id": "{heading_id}", "title": "Hồ sơ phát sinh", "retention_years": 5}),
    "api-records.ApprovePlan POST": Entry(RECORDS_PLAN_APPROVE, on="plan", body={
        "decision_number": "02/QĐ-UBND", "decision_date": vn_today().isoformat()}),
    "api-records.RevisePlan POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={}),
    "api-records.Dossiers GET": Entry(everyone()),
    "api-records.DossierView GET": Entry(RECORDS_DOSSIER_READ, on="dossier"),
    "api-records.DossierView PUT": Entry(RECORDS_RESPONSIBLE, on="dossier", body={
        "heading_id": "{heading_id}", "title": "Hồ sơ sửa", "retention_years": 10}),
    "api-records.DossierView DELETE": Entry(RECORDS_ARCHIVE_ACT, on="dossier"),
    "api-records.OpenDossier POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={}),
    "api-records.FileDocuments POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={"incoming_ids": [1]}),
    "api-records.FileOther POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={
        "file_id": 1, "title": "Ảnh hiện trường", "doc_date": vn_today().isoformat()}),
    "api-records.Item DELETE": Entry(RECORDS_RESPONSIBLE, on="dossier"),
    "api-records.CloseDossier POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={}),
    "api-records.ReopenDossier POST": Entry(RECORDS_REOPEN, on="dossier", body={"reason": "Bổ sung văn bản"}),
    "api-records.LendDossier POST": Entry(RECORDS_ARCHIVE_ACT, on="dossier", body={"borrower_id": "{u_cv_kt1}"}),
    "api-records.TakeBack POST": Entry(RECORDS_ARCHIVE_ACT, on="dossier", body={}),
    "api-records.History GET": Entry(RECORDS_DOSSIER_READ, on="dossier"),
    "api-records.DossierPackage GET": Entry(RECORDS_DOSSIER_READ, on="dossier"),
    # (no document named: refused on the data, 422, whoever asks)
    "api-records.Suggestions GET": Entry(everyone()),
    "api-records.Containing GET": Entry(everyone()),
    "api-records.Transfers GET": Entry(everyone()),
    "api-records.Transfers POST": Entry(only("clerk"), body={
        "year": vn_today().year, "due_date": (vn_today() + timedelta(days=30)).isoformat()}),
    "api-records.TransferView GET": Entry(RECORDS_TRANSFER_READ, on="transfer"),
    "api-records.SubmitTransfer POST": Entry(RECORDS_TRANSFER_SUBMIT, on="transfer", body={}),
    "api-records.ReceiveTransfer POST": Entry(RECORDS_TRANSFER_RECEIVE, on="transfer", body={}),
    # electronic records: the pages (the same objects and grids as the API's)
    "records.index GET": Entry(everyone()),
    "records.create_plan POST": Entry(only("clerk"), body={"plan-year": "2050", "plan-numbering": "plan"}),
    "records.plan GET": Entry(RECORDS_PLAN_READ, on="plan"),
    "records.set_numbering POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={"numbering-numbering": "heading"}),
    "records.add_heading POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={
        "heading-title": "Đề mục mới", "heading-code": "MOI"}),
    "records.add_dossier POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={
        "dossier-heading_id": "{heading_id}", "dossier-title": "Hồ sơ mới", "dossier-retention_years": "5",
        "dossier-responsible_id": "{u_cv_kt1}"}),
    "records.approve_plan POST": Entry(RECORDS_PLAN_APPROVE, on="plan", body={
        "approve-decision_number": "02/QĐ-UBND", "approve-decision_date": "{today}"}),
    "records.open_unplanned POST": Entry(RECORDS_PLAN_READ, on="plan", body={
        "unplanned-heading_id": "{heading_id}", "unplanned-title": "Hồ sơ phát sinh",
        "unplanned-retention_years": "5"}),
    "records.revise_plan POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={}),
    "records.edit_heading GET": Entry(RECORDS_PLAN_EDIT, on="plan"),
    "records.edit_heading POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={
        "heading-title": "Đề mục sửa", "heading-code": "SUA"}),
    "records.delete_heading POST": Entry(RECORDS_PLAN_EDIT, on="plan", body={}),
    "records.export_plan GET": Entry(RECORDS_PLAN_READ, on="plan", args={"fmt": "pdf"}),
    "records.export_plan GET [docx]": Entry(RECORDS_PLAN_READ, on="plan", args={"fmt": "docx"}),
    "records.export_plan GET [xlsx]": Entry(RECORDS_PLAN_READ, on="plan", args={"fmt": "xlsx"}),
    "records.dossier GET": Entry(RECORDS_DOSSIER_READ, on="dossier"),
    "records.edit_dossier GET": Entry(RECORDS_RESPONSIBLE, on="dossier"),
    "records.edit_dossier POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={
        "dossier-heading_id": "{heading_id}", "dossier-title": "Hồ sơ sửa", "dossier-retention_years": "10"}),
    "records.delete_dossier POST": Entry(RECORDS_ARCHIVE_ACT, on="dossier", body={}),
    "records.open_dossier POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={}),
    "records.close_dossier POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={}),
    "records.reopen_dossier POST": Entry(RECORDS_REOPEN, on="dossier", body={"reopen-reason": "Bổ sung văn bản"}),
    "records.lend_dossier POST": Entry(RECORDS_ARCHIVE_ACT, on="dossier", body={"lend-borrower_id": "{u_cv_kt1}"}),
    "records.take_back POST": Entry(RECORDS_ARCHIVE_ACT, on="dossier", body={}),
    "records.add_file POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={
        "add_file-file": PDF, "add_file-title": "Ảnh hiện trường", "add_file-doc_date": "{today}"}),
    "records.remove_item POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={}),
    # The world's items are documents, whose files open from their own pages: no other file here.
    "records.item_file GET": Entry(grid("""
              own  other  foreign  secret
admin         404  404    404      -
clerk         404  404    404      -
leader        404  404    404      -
head_of_unit  404  404    404      -
staff         404  404    404      -
secretary     404  404    404      -
"""), on="dossier"),
    "records.file_documents POST": Entry(RECORDS_RESPONSIBLE, on="dossier", body={
        "dossier_id": "{dossier_id}", "incoming_ids": "1", "next": "/records/"}),
    "records.export_dossier_index GET": Entry(RECORDS_DOSSIER_READ, on="dossier", args={"fmt": "pdf"}),
    "records.export_dossier_index GET [docx]": Entry(RECORDS_DOSSIER_READ, on="dossier", args={"fmt": "docx"}),
    "records.export_package GET": Entry(RECORDS_DOSSIER_READ, on="dossier"),
    "records.transfers GET": Entry(everyone()),
    "records.announce_transfer POST": Entry(only("clerk"), body={
        "transfer-year": str(vn_today().year), "transfer-due_date": "{meeting_day}"}),
    "records.transfer GET": Entry(RECORDS_TRANSFER_READ, on="transfer"),
    "records.submit_transfer POST": Entry(RECORDS_TRANSFER_SUBMIT, on="transfer", body={}),
    "records.receive_transfer POST": Entry(RECORDS_TRANSFER_RECEIVE, on="transfer", body={
        "receive-condition": "Đầy đủ, còn tốt"}),
    "records.export_transfer_index GET": Entry(RECORDS_TRANSFER_READ, on="transfer", args={"fmt": "pdf"}),
    "records.export_transfer_index GET [docx]": Entry(RECORDS_TRANSFER_READ, on="transfer", args={"fmt": "docx"}),
    "records.export_receipt GET": Entry(RECORDS_TRANSFER_READ, on="transfer", args={"fmt": "pdf"}),
    "records.export_receipt GET [docx]": Entry(RECORDS_TRANSFER_READ, on="transfer", args={"fmt": "docx"}),
    # written consultations (phiếu lấy ý kiến): pages
    "consultations.index GET": Entry(everyone()),
    "consultations.new GET": Entry(only("leader", "secretary")),
    "consultations.new POST": Entry(only("leader", "secretary"), body=_CONSULTATION_FORM),
    "consultations.show GET": Entry(CONSULTATION_VIEW, on="consultation"),
    # An open one is not edited any more: its managers are sent back to its page.
    "consultations.edit GET": Entry(CONSULTATION_MANAGE, on="consultation"),
    "consultations.edit POST": Entry(CONSULTATION_MANAGE, on="consultation", body=_CONSULTATION_FORM),
    "consultations.act POST [issue]": Entry(CONSULTATION_MANAGE, on="consultation", args={"action": "issue"}, body={}),
    "consultations.act POST [remind]": Entry(
        CONSULTATION_RUNNER, on="consultation", args={"action": "remind"}, body={}),
    "consultations.act POST [close]": Entry(CONSULTATION_RUNNER, on="consultation", args={"action": "close"}, body={}),
    "consultations.act POST [cancel]": Entry(
        CONSULTATION_MANAGE, on="consultation", args={"action": "cancel"}, body={}),
    "consultations.answer POST": Entry(CONSULTATION_ASKED, on="consultation", body={"q{question_id}-choice": "agree"}),
    "consultations.result POST": Entry(
        CONSULTATION_CHAIR, on="consultation", body={"result-conclusion": "Thống nhất thông qua."}),
    "consultations.draft POST": Entry(CONSULTATION_MANAGE, on="consultation", body={"draft-kind": "thong_bao"}),
    "consultations.result_docx GET": Entry(CONSULTATION_MANAGE, on="consultation"),
    "consultations.tally GET": Entry(CONSULTATION_MANAGE, on="consultation"),
    "consultations.attach POST": Entry(
        CONSULTATION_MANAGE, on="consultation", body={"document-source": "upload", "document-file": PDF}),
    "consultations.remove_document POST": Entry(CONSULTATION_MANAGE, on="consultation", body={}),
    "consultations.remove_document POST [another commune's document]": Entry(
        NOWHERE, on="consultation", mixed=True, body={}),
    "files.download GET [a consultation's document]": Entry(CONSULTATION_VIEW, on="consultation"),
    "api-files.FileItem GET [a consultation's document]": Entry(CONSULTATION_VIEW, on="consultation"),
    # written consultations: the API, the same rules as the pages
    "api-consultations.Consultations GET": Entry(everyone()),
    "api-consultations.Consultations POST": Entry(only("leader", "secretary"), body=_CONSULTATION_JSON),
    "api-consultations.ConsultationItem GET": Entry(CONSULTATION_VIEW, on="consultation"),
    "api-consultations.Issue POST": Entry(CONSULTATION_MANAGE, on="consultation", body={}),
    "api-consultations.Answers POST": Entry(
        CONSULTATION_ASKED, on="consultation", body={"answers": [{"question_id": "{question_id}", "choice": "agree"}]}),
    "api-consultations.Remind POST": Entry(CONSULTATION_RUNNER, on="consultation", body={}),
    "api-consultations.Close POST": Entry(CONSULTATION_RUNNER, on="consultation", body={}),
    "api-consultations.Cancel POST": Entry(CONSULTATION_MANAGE, on="consultation", body={}),
    "api-consultations.Tally GET": Entry(CONSULTATION_MANAGE, on="consultation"),
    "api-consultations.Result POST": Entry(
        CONSULTATION_CHAIR, on="consultation", body={"conclusion": "Thống nhất thông qua."}),
    "api-consultations.Draft POST": Entry(CONSULTATION_MANAGE, on="consultation", body={"kind": "thong_bao"}),
    "api-consultations.Documents POST": Entry(CONSULTATION_MANAGE, on="consultation", body={}),
    "api-consultations.DocumentUpload POST": Entry(
        CONSULTATION_MANAGE, on="consultation", body={"file": PDF}, multipart=True),
    "api-consultations.DocumentItem DELETE": Entry(CONSULTATION_MANAGE, on="consultation"),
    "api-consultations.DocumentItem DELETE [another commune's document]": Entry(
        NOWHERE, on="consultation", mixed=True),
    # meetings: the API, the same rules as the pages
    "api-meetings.MeetingCollection GET": Entry(everyone()),
    "api-meetings.MeetingCollection POST": Entry(only("leader", "secretary"), body=_MEETING_JSON),
    "api-meetings.MeetingItem GET": Entry(MEETING_VIEW, on="meeting"),
    "api-meetings.MeetingItem PUT": Entry(MEETING_MANAGE, on="meeting", body=_MEETING_JSON),
    "api-meetings.Invite POST": Entry(MEETING_MANAGE, on="meeting", body={}),
    "api-meetings.Start POST": Entry(MEETING_RUNNER, on="meeting", body={}),
    "api-meetings.End POST": Entry(MEETING_RUNNER, on="meeting", body={}),
    "api-meetings.Cancel POST": Entry(MEETING_MANAGE, on="meeting", body={}),
    "api-meetings.RecordOnPaper POST": Entry(
        MEETING_MANAGE, on="meeting", body={"note": "Họp bằng giấy tại hội trường, đủ thành phần."}
    ),
    "api-meetings.Rsvp POST": Entry(MEETING_ROOM, on="meeting", body={"answer": "attend"}),
    "api-meetings.Agenda GET": Entry(MEETING_VIEW, on="meeting"),
    "api-meetings.Invitation GET": Entry(MEETING_VIEW, on="meeting"),
    # The state answers first (a meeting not ended has no minutes), to whoever sees it.
    "api-meetings.Minutes GET": Entry(MEETING_VIEW, on="meeting"),
    # the weekly work schedule (lịch công tác tuần): the API. The world's week is next week's,
    # drafted by the office (a row whose title carries the marker); Lạc Sơn's is published.
    # A week is named by its Monday in the reader's own commune: another commune's is never
    # addressable. Drafts: the office and the leaders; editing: the office; approving: leaders.
    "api-schedule.Weeks GET": Entry(everyone()),
    "api-schedule.Week GET": Entry(everyone()),
    "api-schedule.Week GET [this week, with the world's meetings]": Entry(everyone(), args={"monday": _THIS_MONDAY}),
    "api-schedule.Versions GET": Entry(everyone()),
    "api-schedule.Entries POST": Entry(
        only("clerk", "secretary"), body={"day": "{monday}", "start_time": "08:00", "title": "Giao ban tuần"}
    ),
    "api-schedule.EntryItem GET": Entry(SCHEDULE_READ_DRAFT, on="schedule"),
    "api-schedule.EntryItem PUT": Entry(
        SCHEDULE_EDIT, on="schedule", body={"day": "{monday}", "start_time": "09:00", "title": "Giao ban tuần"}
    ),
    "api-schedule.EntryItem DELETE": Entry(SCHEDULE_EDIT, on="schedule"),
    "api-schedule.Submit POST": Entry(SCHEDULE_OFFICE_ACT, body={}),
    "api-schedule.Revise POST": Entry(SCHEDULE_OFFICE_ACT, body={}),  # (a draft: 409, the state)
    "api-schedule.Return POST": Entry(SCHEDULE_APPROVER_ACT, body={"note": "Bổ sung lịch thứ Sáu"}),
    "api-schedule.Publish POST": Entry(SCHEDULE_APPROVER_ACT, body={}),  # (a draft: 409, the state)
    "api-schedule.Rooms GET": Entry(everyone()),
    "api-schedule.Rooms POST": Entry(only("admin"), body={"name": "Phòng họp kiểm tra"}),
    "api-schedule.RoomItem PUT": Entry(SCHEDULE_ROOM, on="schedule", body={"name": "Phòng họp đổi tên"}),
}

# The live room's Socket.IO events (namespace /meetings), each with its payload.
SOCKET_EXPECTATIONS: dict[str, Entry] = {
    "connect": Entry(everyone()),  # every signed-in person connects; a visitor is refused
    "disconnect": Entry(everyone()),  # each client disconnects at the end of its cells
    "join": Entry(ROOM_PARTICIPANT, on="meeting", body={}),
    "leave": Entry(ROOM_PARTICIPANT, on="meeting", body={}),
    "sync": Entry(ROOM_PARTICIPANT, on="meeting", body={}),
    "start": Entry(ROOM_RUNNER, on="meeting", body={}),
    "end": Entry(ROOM_RUNNER, on="meeting", body={}),
    "check_in": Entry(ROOM_PARTICIPANT, on="meeting", body={}),
    "move_item": Entry(ROOM_RUNNER, on="meeting", body={"item_id": "{item_id}"}),
    "present": Entry(ROOM_PRESENTER, on="meeting", body={"file_id": "{file_id}", "page": 1}),
    "request_speech": Entry(ROOM_PARTICIPANT, on="meeting", body={"topic": "Xin phát biểu"}),
    "withdraw_speech": Entry(ROOM_REQUESTER, on="meeting", body={"request_id": "{request_id}"}),
    "grant_speech": Entry(ROOM_RUNNER, on="meeting", body={"request_id": "{request_id}"}),
    "end_speech": Entry(ROOM_RUNNER, on="meeting", body={"request_id": "{request_id}"}),
    "decline_speech": Entry(ROOM_RUNNER, on="meeting", body={"request_id": "{request_id}"}),
    "open_vote": Entry(ROOM_RUNNER, on="meeting", body={"item_id": "{item_id}", "question": "Thông qua?"}),
    "cast_ballot": Entry(ROOM_VOTER, on="meeting", body={"vote_id": "{vote_id}", "option_id": "{option_id}"}),
    "close_vote": Entry(ROOM_RUNNER, on="meeting", body={"vote_id": "{vote_id}"}),
    "save_note": Entry(ROOM_PARTICIPANT, on="meeting", body={"item_id": "{item_id}", "text": "Ghi chú"}),
    "save_conclusion": Entry(ROOM_RUNNER, on="meeting", body={"item_id": "{item_id}", "text": "Thống nhất."}),
    "timer": Entry(ROOM_RUNNER, on="meeting", body={"item_id": "{item_id}", "action": "extend", "minutes": 5}),
}
