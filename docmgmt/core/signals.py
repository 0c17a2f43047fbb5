"""Signals (blinker): side effects hang off domain events, not off the code that raises them.

"document issued" → index it, notify the recipients, queue the exchange message,
without the issuing operation knowing about any of the three.
"""

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal("user-created")
user_updated = _signals.signal("user-updated")
user_logged_in = _signals.signal("user-logged-in")
user_locked_out = _signals.signal("user-locked-out")
token_created = _signals.signal("token-created")
token_revoked = _signals.signal("token-revoked")
file_stored = _signals.signal("file-stored")
incoming_registered = _signals.signal("incoming-registered")
incoming_changed = _signals.signal("incoming-changed")
outgoing_changed = _signals.signal("outgoing-changed")
outgoing_issued = _signals.signal("outgoing-issued")
outgoing_recalled = _signals.signal("outgoing-recalled")
