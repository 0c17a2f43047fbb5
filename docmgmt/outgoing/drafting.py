"""From a draft's data to its first DOCX, through the NĐ30 templates (templates_docx)."""

from __future__ import annotations

from ..org.models import Organisation, User
from .models import OutgoingDocument
from .templates_docx import DraftSpec, build_draft


def signer_lines(org: Organisation, signer: User | None) -> tuple[str, str]:
    """Thẩm quyền ký (NĐ30 Điều 13): the chairman signs "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
    a vice-chairman "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"."""
    position = (signer.position.name if signer and signer.position else "").strip()
    collective = org.name
    for prefix in ("Ủy ban nhân dân", "Hội đồng nhân dân"):
        if org.name.lower().startswith(prefix.lower()):
            collective = prefix
    if position.lower().startswith("phó chủ tịch"):
        return "KT. CHỦ TỊCH", position.upper()
    if position.lower().startswith("chủ tịch"):
        return f"TM. {collective.upper()}", position.upper()
    return "", position.upper()


def template_docx(actor: User, doc: OutgoingDocument, body: list[str], signer: User | None) -> bytes:
    org = actor.organisation
    authority, position = signer_lines(org, signer)
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
        signer_name=signer.full_name if signer else "", recipients=outside + inside,
    )
    return build_draft(spec)
