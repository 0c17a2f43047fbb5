"""The fast indexing path writes exactly what the plain definitions say.

``search.schema.analyse`` (a batch at once, numpy) must give the terms and weights of
``search.schema.doc_fields`` (one document, plain Python), the bulk segment writer
must write what Whoosh's own writer writes, and segments read in place
(``search.mapped``) must read back as Whoosh's own files do.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from searchkit import ask, make_doc
from whoosh import index as whoosh_index
from whoosh.filedb import compound
from whoosh.writing import SegmentWriter

from search import mapped, whoosh_backend
from search.backend import IndexedDoc
from search.schema import KEYWORD_FIELDS, analyse, build_schema, doc_fields
from search.segment_writer import BulkSegmentWriter
from search.whoosh_backend import WhooshBackend, _codec

INDEXED = ("f", "x", "b", "n", "acl", *KEYWORD_FIELDS)


def _corpus(sentences: list[str]) -> list[IndexedDoc]:
    docs = [
        make_doc(
            f"d{i}",
            sentences[(i * 5) % len(sentences)],
            " ".join(sentences[(i * 11 + j) % len(sentences)] for j in range(i % 7)),
            number_symbol=f"{i % 40:02d}/QĐ-UBND" if i % 3 else "",
            unit=str(i % 4) if i % 5 else None,
            acl=[f"unit:{i % 4}", "org:1", "org:1"] if i % 2 else [],
            text_searchable=bool(i % 4),
            date=datetime(2025, 1 + i % 12, 1 + i % 28, i % 24, 5) if i % 2 else date(2024, 2, 29),
        )
        for i in range(120)
    ]
    docs += [
        make_doc("empty", "", "", sender="", acl=[]),
        make_doc("underscores", "____", "Số: ______ ngày 007 tháng 05", sender="___"),
        make_doc(
            "decomposed",
            unicodedata.normalize("NFD", "Quyết định về việc thành lập Ủy ban"),
            unicodedata.normalize("NFD", "Đất đai, đê điều; ý kiến của Y tế ở xã. İstanbul ＱＤ"),
        ),
        make_doc("one-word", "Ý", "ở"),
    ]
    return docs


def _by_term(value: Any) -> dict[Any, float]:
    terms, weights = value
    return dict(zip(terms, weights, strict=True))


def test_batch_analysis_gives_the_terms_and_weights_of_the_definition(sentences):
    docs = _corpus(sentences)
    batch = analyse(docs)
    assert batch.count == len(docs)
    for i, doc in enumerate(docs):
        fields = doc_fields(doc)
        for name in ("f", "x", "b", "n"):
            p = batch.postings[name]
            mine = {p.terms[p.term[j]]: float(p.weight[j]) for j in (p.doc == i).nonzero()[0]}
            expected = {t: float(_float32(w)) for t, w in _by_term(fields[name]).items()}
            assert mine == expected, (doc.id, name)
        for name in (*KEYWORD_FIELDS, "acl"):
            p = batch.postings[name]
            mine_terms = sorted(p.terms[p.term[j]] for j in (p.doc == i).nonzero()[0])
            value = fields.get(name)
            expected_terms = [] if value is None else sorted(
                {t.encode("utf-8") for t in (value.split() if name == "acl" else [value])}
            )
            assert mine_terms == expected_terms, (doc.id, name)
        assert batch.stored[i] == {k: fields[k] for k in batch.stored[i]}
        assert batch.columns["date"][i] == fields["date"]


def _float32(value: float) -> float:
    import numpy as np

    return float(np.float32(value))


def _build(path: Path, docs: list[IndexedDoc], how: str) -> Any:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    if how == "whoosh":  # Whoosh's own writer, posting by posting, from the definition
        writer = SegmentWriter(ix, codec=_codec())
        for doc in docs:
            writer.add_document(**doc_fields(doc))
    else:
        writer = BulkSegmentWriter(ix, codec=_codec())
        for start in range(0, len(docs), 50):  # several batches into one segment
            writer.add_batch(analyse(docs[start : start + 50]))
    writer.commit(merge=False)
    return whoosh_index.open_dir(str(path)).reader()


def _read_back(reader: Any) -> dict[str, Any]:
    """Every term's postings and block statistics through Whoosh's own matchers."""
    out: dict[str, Any] = {}
    for name in INDEXED:
        for tbytes in reader.lexicon(name):
            m = reader.postings(name, tbytes)
            postings = []
            while m.is_active():
                # Whoosh's writer keeps a block's maximum as the float64 it was
                # given; the postings themselves are float32 either way.
                block_max = _float32(m.block_max_weight())
                postings.append((m.id(), m.weight(), block_max, m.block_max_id()))
                m.next()
            info = reader.term_info(name, tbytes)
            out[f"{name}:{tbytes!r}"] = (
                postings,
                info.doc_frequency(),
                info.max_weight(),
                info.min_id(),
                info.max_id(),
            )
    return out


def test_bulk_writer_writes_what_whoosh_writes(tmp_path: Path, sentences):
    docs = _corpus(sentences)
    theirs = _build(tmp_path / "whoosh", docs, "whoosh")
    ours = _build(tmp_path / "bulk", docs, "bulk")
    assert _read_back(ours) == _read_back(theirs)
    assert [ours.stored_fields(n) for n in range(len(docs))] == [
        theirs.stored_fields(n) for n in range(len(docs))
    ]
    assert list(ours.column_reader("date")) == list(theirs.column_reader("date"))


def test_segments_read_in_place_read_like_whoosh_files(tmp_path: Path, sentences, monkeypatch):
    docs = _corpus(sentences)
    _build(tmp_path / "ix", docs, "bulk")
    in_place = whoosh_index.open_dir(str(tmp_path / "ix")).reader()
    assert any(
        isinstance(f, mapped.RegionFile) for f in vars(in_place._terms).values()
    ), "the segment was not read in place"
    monkeypatch.setattr(compound.CompoundStorage, "open_file", mapped._original_open_file)
    copied = whoosh_index.open_dir(str(tmp_path / "ix")).reader()
    assert _read_back(in_place) == _read_back(copied)
    assert [in_place.stored_fields(n) for n in range(len(docs))] == [
        copied.stored_fields(n) for n in range(len(docs))
    ]


@pytest.mark.parametrize("workers", [0, 1])
def test_rebuild_in_batches_and_segments_finds_every_document(
    tmp_path: Path, sentences, monkeypatch, workers: int
):
    monkeypatch.setattr(whoosh_backend, "BATCH_DOCS", 7)
    monkeypatch.setattr(whoosh_backend, "SEGMENT_DOCS", 21)
    docs = [make_doc(f"r{i}", f"Kế hoạch số {i} về {sentences[i]}") for i in range(50)]
    backend = WhooshBackend(tmp_path / "index")
    try:
        seen: list[int] = []
        assert backend.rebuild(docs + docs[:3], progress=seen.append, analysis_workers=workers) == 50
        assert seen[-1] == 50
        assert backend.check(expected_docs=50)["segments"] == 3
        for i in (0, 20, 21, 49):
            assert ask(backend, f"kế hoạch số {i}")[0] == f"r{i}"
        # index() replaces a document by id, through the same batch path.
        backend.index([make_doc("r20", "Thông báo lịch tiếp công dân")])
        assert "r20" not in ask(backend, "kế hoạch số 20")
        assert ask(backend, "lịch tiếp công dân") == ["r20"]
        assert backend.check(expected_docs=50)["ok"]
    finally:
        backend.close()
