"""Helpers shared by the search tests (imported by conftest.py and the tests)."""

from __future__ import annotations

import glob
import re
from datetime import date
from pathlib import Path

from search.backend import IndexedDoc, SearchQuery
from search.whoosh_backend import WhooshBackend

SHARED = Path(__file__).resolve().parents[3] / "shared"


def real_sentences() -> list[str]:
    files = sorted(glob.glob(str(SHARED / "data/articles/*.txt"))) + sorted(
        glob.glob(str(SHARED / "reference/nd30/*.md"))
    )
    out: list[str] = []
    for f in files:
        for para in Path(f).read_text("utf-8").splitlines():
            para = para.strip().lstrip("#").strip()
            for s in re.split(r"(?<=[.;:!?])\s+", para):
                if len(s.split()) >= 6:
                    out.append(s)
    return out


def make_doc(doc_id: str, subject: str, content: str = "", **kw: object) -> IndexedDoc:
    values: dict[str, object] = dict(
        id=doc_id,
        org_id=1,
        direction="incoming",
        doc_type="CV",
        year=2025,
        unit="1",
        status="done",
        date=date(2025, 9, 1),
        number_symbol="",
        subject=subject,
        sender="UBND xã Kim Bôi",
        content=content,
        acl=["org:1"],
        text_searchable=True,
    )
    values.update(kw)
    return IndexedDoc(**values)  # type: ignore[arg-type]


def ask(
    backend: WhooshBackend, text: str, principals: set[str] | None = None, **kw: object
) -> list[str]:
    return [h.id for h in backend.query(query(text, principals, **kw)).hits]


def query(text: str, principals: set[str] | None = None, **kw: object) -> SearchQuery:
    return SearchQuery(
        text=text,
        org_id=int(kw.pop("org_id", 1)),  # type: ignore[arg-type]
        principals=principals or {"org:1"},
        **kw,
    )  # type: ignore[arg-type]
