"""The signing pipeline shared by every signer, and small PDF helpers.

:class:`Signer` turns (pdf, identity, appearance) into a signed PDF as one incremental
update: open the document, create any fields the appearance asks for, let pyHanko lay
out the signature dictionary with our appearance, digest the byte range, then ask the
concrete signer for a CMS container over that digest (a local key, or a remote
provider that only ever sees the hash) and embed it.

There is no time-stamp authority within reach of a commune: the signing time is the
local clock, carried in the CMS signed attributes (``signing-time``) and in ``/M``.
"""

from __future__ import annotations

import asyncio
import io
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec, MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner, PdfTBSDocument

from ..core.timeutil import VN_TZ
from .appearance import ORGANISATION_FIELD, PRINTED_KEY, Appearance, Box, render
from .errors import SigningError
from .identity import SigningIdentity

NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"
PREFIX_KEY = "/XaSoPrefix"  # text a number/date field's value starts with when the page lacks it
MD_ALGORITHM = "sha256"


def now_vn() -> datetime:
    # whole seconds: the time shown in an appearance and the signed time must agree
    return datetime.now(VN_TZ).replace(microsecond=0)


_loops = threading.local()


def run(coro):
    """Run a coroutine from synchronous code (Flask views, CLI, tests).

    One event loop per thread, reused: creating one per signature costs more than the
    ECDSA signature itself."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = getattr(_loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = _loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
    # Called from inside an event loop: run in a helper thread with its own loop.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# --- PDF helpers ----------------------------------------------------------------------

def open_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-"):
        raise SigningError("not_a_pdf")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SigningError("not_a_pdf", detail=str(exc)) from None
    if writer.prev.encrypted:
        raise SigningError("pdf_encrypted")
    return writer


def page_refs(writer) -> list[generic.IndirectObject]:
    out: list[generic.IndirectObject] = []

    def walk(node_ref, depth=0):
        node = node_ref.get_object()
        if depth > 64:
            raise SigningError("not_a_pdf", detail="page tree too deep")
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in node["/Kids"]:
                walk(kid, depth + 1)
        else:
            out.append(node_ref)

    walk(writer.root.raw_get("/Pages"))
    return out


def page_size(page: generic.DictionaryObject) -> tuple[float, float]:
    node: Any = page
    for _ in range(32):
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return x2 - x1, y2 - y1
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    return 595.28, 841.89


def iter_fields(writer) -> Iterator[tuple[str, generic.DictionaryObject, generic.IndirectObject]]:
    """Top-level terminal fields and one level of kids: (name, dict, reference)."""
    try:
        form = writer.root["/AcroForm"]
        top = form["/Fields"]
    except KeyError:
        return
    for ref in top:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        yield name, field, ref
        for kid_ref in field.get("/Kids", ()):
            kid = kid_ref.get_object()
            if "/T" in kid:
                yield f"{name}.{kid['/T']}", kid, kid_ref


def find_field(writer, name: str):
    for field_name, field, ref in iter_fields(writer):
        if field_name == name:
            return field, ref
    return None


def field_place(writer, field: generic.DictionaryObject) -> tuple[int, Box] | None:
    """Page index and rectangle of a merged field/widget."""
    if "/Rect" not in field:
        return None
    rect = [float(v) for v in field["/Rect"]]
    box = (min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3]))
    pages = page_refs(writer)
    target = field.raw_get("/P") if "/P" in field else None
    for ix, ref in enumerate(pages):
        if target is not None and isinstance(target, generic.IndirectObject) \
                and target.reference == ref.reference:
            return ix, box
    for ix, ref in enumerate(pages):  # no /P: look for the widget in the pages' /Annots
        for annot in ref.get_object().get("/Annots", ()):
            if annot.get_object() is field:
                return ix, box
    return len(pages) - 1, box


def create_signature_field(writer, name: str, page: int, box: Box) -> None:
    """An empty visible signature field; the seal's field locks the number fields once
    signed, so the number and date cannot change after the organisation's signature."""
    lock = None
    if name == ORGANISATION_FIELD:
        lock = FieldMDPSpec(FieldMDPAction.INCLUDE, fields=[NUMBER_FIELD, DATE_FIELD])
    sig_fields.append_signature_field(writer, SigFieldSpec(
        name, on_page=page, box=tuple(round(v, 2) for v in box), field_mdp_spec=lock))  # type: ignore[arg-type]


def mark_printed(writer, name: str) -> None:
    """Note on a signature field that the page prints the position and name around it."""
    found = find_field(writer, name)
    if found is not None:
        found[0][generic.NameObject(PRINTED_KEY)] = generic.BooleanObject(True)
        writer.update_container(found[0])


# --- the signer interface ---------------------------------------------------------------

class Signer(ABC):
    """sign(pdf, identity, appearance) → signed pdf (SPEC §3.2)."""

    # Bytes kept for the CMS container (hex doubles it). A P-256 signature with its
    # two-certificate chain is about 1.5 kB DER; fixing the size skips pyHanko's
    # dry-run signature that would otherwise estimate it.
    bytes_reserved = 8192

    def sign(self, pdf: bytes, identity: SigningIdentity, appearance: Appearance, *,
             certify: bool = False) -> bytes:
        """Sign ``pdf``; ``certify`` makes it the certification (DocMDP: form filling)
        signature, which must be the document's first."""
        return run(self.async_sign(pdf, identity, appearance, certify=certify))

    async def async_sign(self, pdf: bytes, identity: SigningIdentity, appearance: Appearance, *,
                         certify: bool = False) -> bytes:
        writer = open_writer(pdf)
        try:
            return await self._sign(writer, bytes(pdf), identity, appearance, certify)
        except SigningError:
            raise
        except PyHankoSigningError as exc:
            if "Certification signatures must be the first" in str(exc):
                raise SigningError("already_certified", detail=str(exc)) from None
            raise SigningError("signing_failed", detail=str(exc)) from exc
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            raise SigningError("signing_failed", detail=f"{type(exc).__name__}: {exc}") from exc

    async def _sign(self, writer, pdf: bytes, identity: SigningIdentity, appearance: Appearance,
                    certify: bool) -> bytes:
        pages = len(page_refs(writer))
        existing = find_field(writer, appearance.field_name)
        if existing is not None:
            field, _ref = existing
            if "/V" in field:
                raise SigningError("signing_failed", f"Ô chữ ký “{appearance.field_name}” đã được ký.")
            place = field_place(writer, field)
            if place is not None:  # the field's rectangle rules; lay the appearance out in it
                page_ix, box = place
                appearance = _fit(appearance, page_ix, box, bool(field.get(PRINTED_KEY, False)))
        else:
            if appearance.box is None and appearance.locate is not None:
                page_ix, box, printed = appearance.locate(writer, pdf)
                appearance = _fit(appearance, page_ix, box, printed)
            if appearance.box is not None:
                create_signature_field(writer, appearance.field_name, appearance.page % pages, appearance.box)
                if appearance.printed:
                    mark_printed(writer, appearance.field_name)
            else:  # invisible signature
                sig_fields.append_signature_field(writer, SigFieldSpec(appearance.field_name))
        for name, page, box in appearance.extra_fields:
            if find_field(writer, name) is None:
                create_signature_field(writer, name, page % pages, box)

        when = appearance.signing_time or now_vn()
        meta = PdfSignatureMetadata(
            field_name=appearance.field_name,
            md_algorithm=MD_ALGORITHM,
            subfilter=SigSeedSubFilter.PADES,
            certify=certify,
            docmdp_permissions=MDPPerm.FILL_FORMS,
            reason=appearance.reason,
            location=appearance.location,
            name=identity.name,
        )
        pdf_signer = PdfSigner(meta, signer=self.pyhanko_signer(identity), stamp_style=render(appearance))
        session = pdf_signer.init_signing_session(writer, existing_fields_only=True)
        session.system_time = when
        tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=self.reserve(identity))
        prepared, output = tbs.digest_tbs_document(output=io.BytesIO())
        container = await self.container(prepared.document_digest, identity, when,
                                         description=appearance.reason or appearance.field_name)
        await PdfTBSDocument.async_finish_signing(output, prepared, container,
                                                  post_sign_instr=tbs.post_sign_instructions)
        return output.getvalue()  # type: ignore[attr-defined]  # a BytesIO, given above

    def reserve(self, identity: SigningIdentity) -> int:
        """Hex digits kept for the CMS container in /Contents."""
        return self.bytes_reserved

    @abstractmethod
    def pyhanko_signer(self, identity: SigningIdentity):
        """The pyHanko signer object PdfSigner lays the signature out with."""

    @abstractmethod
    async def container(self, document_digest: bytes, identity: SigningIdentity, when: datetime,
                        *, description: str) -> cms.ContentInfo | bytes:
        """A CMS SignedData (detached) over ``document_digest`` (SHA-256 of the byte range)."""


def _fit(appearance: Appearance, page: int, box: Box, printed: bool = False) -> Appearance:
    """Re-lay an appearance into an existing field's rectangle."""
    if appearance.refit is None:
        from dataclasses import replace

        return replace(appearance, page=page, box=box, printed=printed)
    return appearance.refit(page, box, printed)
