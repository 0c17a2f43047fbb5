"""The one error type of the edXML layer, with stable codes and Vietnamese messages.

Every refusal of a message carries a stable machine code (for the JSON API, logs and
tests), a message a clerk can act on, in Vietnamese, and the edXML field it concerns.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Stable codes. Callers (API, CLI, worker) switch on these, so never rename them.
MALFORMED: Final = "edxml_malformed"  # not well-formed XML: truncated, broken
NAMESPACE: Final = "edxml_namespace"  # not the QCVN 102:2016 namespace
MISSING: Final = "edxml_missing"  # a required part is absent or empty
INVALID: Final = "edxml_invalid"  # a present value cannot be understood
BASE64: Final = "edxml_base64"  # an attachment is not valid base64
ENTITY: Final = "edxml_entity"  # DOCTYPE, entity declaration or entity reference
TOO_LARGE: Final = "edxml_too_large"  # over a size limit (message, attachment)
TOO_MANY: Final = "edxml_too_many"  # an element repeated more than allowed (limits.py)
TOO_LONG: Final = "edxml_too_long"  # a value longer than allowed: refused, never cut
TOO_DEEP: Final = "edxml_too_deep"  # elements nested deeper than allowed
NOT_ADDRESSED: Final = "edxml_not_addressed"  # not for the organisation receiving it
ZIP: Final = "edxml_zip"  # a zipped attachment is unsafe or broken
CONFIDENTIAL: Final = "edxml_confidential"  # claims a confidentiality level: never online

ALL_CODES: Final = frozenset(
    {MALFORMED, NAMESPACE, MISSING, INVALID, BASE64, ENTITY, TOO_LARGE, ZIP, CONFIDENTIAL,
     TOO_MANY, TOO_LONG, TOO_DEEP, NOT_ADDRESSED}
)


class EdxmlError(ValueError):
    """A message that cannot be accepted (or built), and why.

    ``code`` is one of the module constants, ``message_vi`` is shown to people,
    ``field`` names the edXML element concerned (a path such as
    ``MessageHeader/From/OrganId``) or is ``None`` for the message as a whole.
    """

    def __init__(self, code: str, message_vi: str, field: str | None = None) -> None:
        if code not in ALL_CODES:
            raise ValueError(f"unknown edXML error code {code!r}")
        # Messages are composed from literals and from sender data; keep them NFC so
        # they compare and display the same everywhere.
        self.code = code
        self.message_vi = unicodedata.normalize("NFC", message_vi)
        self.field = field
        super().__init__(self.message_vi)

    def __repr__(self) -> str:
        return f"EdxmlError({self.code!r}, {self.message_vi!r}, {self.field!r})"

    def as_dict(self) -> dict[str, str | None]:
        """The shape the JSON API returns for a refused message."""
        return {"code": self.code, "message": self.message_vi, "field": self.field}
