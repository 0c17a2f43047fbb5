"""From a draft's data to its first DOCX, through the NĐ30 templates (templates_docx), and
the signature block each signer signs with (NĐ30 Điều 13, Phụ lục I mục II.8).

A commune's People's Committee decides as a collective, its Chủ tịch at its head:

* the chairman signs for the committee: “TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH”;
* a vice-chairman signs in the chairman's place: “KT. CHỦ TỊCH / PHÓ CHỦ TỊCH” — also
  when the chairman, away, delegated approval and signature to them;
* the acting chairman (giao quyền): “TM. ỦY BAN NHÂN DÂN / Q. CHỦ TỊCH”;
* someone who is not a deputy, authorised by the chairman for a time: “TUQ. CHỦ TỊCH /
  <their position>” (Điều 13 khoản 3; not to be passed on), or ordered to sign certain
  documents: “TL. CHỦ TỊCH / <their position>” (Điều 13 khoản 4).

The block printed by the template and the block drawn by the signature's appearance
both come from :func:`signature_lines`.
"""

from __future__ import annotations

from ..delegation.models import Delegation
from ..delegation.workflow import SigningForm, Standing, head_title, standing
from ..org.models import Organisation, User
from .models import OutgoingDocument
from .templates_docx import DraftSpec, build_draft


def collective_name(org: Organisation) -> str:
    """The collective a chairman signs for: “Ủy ban nhân dân” (or the organisation's name)."""
    for prefix in ("Ủy ban nhân dân", "Hội đồng nhân dân"):
        if org.name.lower().startswith(prefix.lower()):
            return prefix
    return org.name


def form_lines(org: Organisation, form: SigningForm | None, position: str,
               head: str = "Chủ tịch") -> tuple[str, str]:
    """(authority line, position line) of a signature block in ``form``: the prefix goes
    before the head's title (``head``) or the collective's name; ``position`` is the
    signer's own."""
    position, head = position.strip().upper(), head.strip().upper()
    if form is SigningForm.TM:
        return f"TM. {collective_name(org).upper()}", position
    if form is SigningForm.Q:
        return f"TM. {collective_name(org).upper()}", f"Q. {head}"
    if form in (SigningForm.KT, SigningForm.TL, SigningForm.TUQ):
        return f"{form.prefix} {head}", position
    return "", position


def signer_lines(org: Organisation, signer: User | None) -> tuple[str, str]:
    """Thẩm quyền ký (NĐ30 Điều 13) of someone signing in their own place: the chairman
    signs "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", a vice-chairman "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH";
    anyone else under their position alone."""
    position = (signer.position.name if signer and signer.position else "")
    rank = standing(signer)
    form = SigningForm.TM if rank is Standing.HEAD else SigningForm.KT if rank is Standing.DEPUTY else None
    return form_lines(org, form, position)


def signature_lines(org: Organisation, signer: User | None,
                    delegation: Delegation | None = None) -> tuple[str, str]:
    """The block ``signer`` signs with: in their own place, or — under a delegation of
    signature — in the form the delegation gives (KT., Q., TUQ., TL., TM.)."""
    if delegation is None or signer is None:
        return signer_lines(org, signer)
    position = signer.position.name if signer.position else ""
    return form_lines(org, delegation.signing_form, position, head_title(delegation.delegator))


def template_docx(actor: User, doc: OutgoingDocument, body: list[str], signer: User | None,
                  delegation: Delegation | None = None) -> bytes:
    """The draft from the template of its type. Its signature block is the one the
    document will be signed with as things stand: the signer's own, or — while the signer
    is away and has delegated signature — the delegate's (``delegation``). The block is
    checked again when someone signs (``signing.prepare``)."""
    org = actor.organisation
    who = delegation.delegate if delegation is not None else signer
    authority, position = signature_lines(org, who, delegation)
    outside = [r.organ_name for r in doc.recipients if r.kind == "external"]
    inside = [r.label for r in doc.recipients if r.kind != "external"]
    spec = DraftSpec(
        doc_type=doc.doc_type, issuing_body=org.name, abbreviation=org.abbreviation,
        # A commune's People's Committee heads its own documents ("ỦY BAN NHÂN DÂN /
        # XÃ KIM BÔI"): no governing-body line above it.
        governing_body="", place_name=org.place_name, subject=doc.subject,
        unit_abbreviation=doc.drafting_unit.abbreviation if doc.drafting_unit else "",
        body=[p for p in body if p] or ["…"], addressees=outside,
        signer_authority=authority, signer_position=position,
        signer_name=who.full_name if who else "", recipients=outside + inside,
    )
    return build_draft(spec)
