"""A Whoosh segment writer that writes postings in bulk.

Whoosh's stock ``SegmentWriter`` pushes every posting through a sorting pool and then
through per-posting codec calls (with a file ``stat`` per posting for unscored fields);
that caps indexing at well under a hundred documents per second here. This writer
appends each document's postings to three flat arrays (term id, docnum, weight) with
C-level ``extend`` calls, groups them by term with one numpy sort at flush time, and
writes whole posting blocks. The on-disk format is the stock W3 codec, so every Whoosh
reader, searcher and merge works unchanged.

Only ``Existence``-format fields are supported for indexing (all indexed fields of
``search.schema`` are), which is why no posting values are carried.
"""

from __future__ import annotations

import itertools
import operator
import pickle
from array import array
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_int
from whoosh.writing import SegmentWriter

_BLOCK_INFO_PROTOCOL = 2  # what the W3 reader expects for the block header tuple


class BulkSegmentWriter(SegmentWriter):
    """Drop-in ``SegmentWriter`` for the document schema; see module docstring."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # fieldname → term → term id; ids come from a shared counter so that
        # ``map(setdefault, terms, counter)`` assigns them without a Python loop
        # (unused counter values simply leave gaps).
        self._term_ids: dict[str, dict[Any, int]] = {}
        self._counter = itertools.count()
        self._tids = array("q")
        self._docs = array("I")
        self._weights = array("f")
        self._blocklimit: int = getattr(self.codec, "_blocklimit", 128)

    def _add_postings(self, fieldname: str, terms: list[Any], weights: Any) -> None:
        ids = self._term_ids.get(fieldname)
        if ids is None:
            ids = self._term_ids[fieldname] = {}
        self._tids.extend(map(ids.setdefault, terms, self._counter))
        self._docs.extend(itertools.repeat(self.docnum, len(terms)))
        self._weights.extend(weights)

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)

        perdocwriter.start_doc(self.docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                if field.indexed:
                    if getattr(field, "precomputed", False):
                        terms, weights = value
                    else:
                        items = list(field.index(value))
                        terms = [tb for tb, _f, _w, _v in items]
                        weights = [w for _tb, _f, w, _v in items]
                    self._add_postings(name, terms, weights)
                stored = value if field.stored else None
                perdocwriter.add_field(name, field, stored, 0)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _drain_pool(self) -> None:
        # Documents of segments merged in by ``add_reader`` arrive through the pool.
        self._merged = False
        for fieldname, btext, docnum, weight, _value in self.pool.iter_postings():
            field = self.schema[fieldname]
            term = btext.decode("utf-8") if getattr(field, "precomputed", False) else btext
            self._merged = True
            ids = self._term_ids.setdefault(fieldname, {})
            self._tids.append(ids.setdefault(term, next(self._counter)))
            self._docs.append(docnum)
            self._weights.append(weight)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self._drain_pool()
        fw = self.fieldwriter
        if self._tids:
            tids = np.frombuffer(self._tids, dtype=np.int64)
            docs = np.frombuffer(self._docs, dtype=np.uint32)
            weights = np.frombuffer(self._weights, dtype=np.float32)
            # Group by term id. Documents were appended in docnum order, so a stable
            # sort keeps each group sorted; merged-in postings may not be, so lexsort.
            order = np.lexsort((docs, tids)) if self._merged else np.argsort(tids, kind="stable")
            tids, docs, weights = tids[order], docs[order], weights[order]
            for fieldname in sorted(self._term_ids):
                field = self.schema[fieldname]
                precomputed = getattr(field, "precomputed", False)
                ids = self._term_ids[fieldname]
                keys = np.fromiter(ids.values(), np.int64, len(ids))
                starts = np.searchsorted(tids, keys).tolist()
                ends = np.searchsorted(tids, keys, side="right").tolist()
                span = dict(zip(ids, zip(starts, ends, strict=True), strict=True))
                fw.start_field(fieldname, field)
                # UTF-8 byte order equals code point order, so str terms sort right.
                for term in sorted(ids):
                    start, end = span[term]
                    fw.start_term(term.encode("utf-8") if precomputed else term)
                    self._write_postings(fw._postwriter, docs[start:end], weights[start:end])
                    fw.finish_term()
                fw.finish_field()
        fw.close()
        self._term_ids.clear()

    def _write_postings(self, pw: Any, ids: np.ndarray, weights: np.ndarray) -> None:
        """Write whole blocks in the W3 format (see ``W3PostingsWriter._write_block``)."""
        n = len(ids)
        if n <= self._blocklimit:
            self._write_small(pw, ids.tolist(), weights)
            return
        limit = self._blocklimit
        terminfo = pw._terminfo
        postfile = pw._postfile
        postfile.write(WHOOSH3_HEADER_MAGIC)
        terminfo._weight += float(weights.sum(dtype=np.float64))
        terminfo._df += n
        terminfo._maxlength = max(terminfo._maxlength, 0)
        if terminfo._minid is None:
            terminfo._minid = int(ids[0])
        terminfo._maxid = int(ids[-1])
        for start in range(0, n, limit):
            bids = ids[start : start + limit]
            bw = weights[start : start + limit]
            maxweight = float(bw.max())
            terminfo._maxweight = max(terminfo._maxweight, maxweight)
            # Ids are delta-coded from 0 in every block (the W3 reader's rule).
            deltas = np.diff(bids.astype(np.int64), prepend=0)
            data = (
                array("I", deltas.astype(np.uint32).tobytes()),
                array("f", bw.astype(np.float32).tobytes()),
                None,
            )
            databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
            infobytes = pickle.dumps(
                (len(bids), int(bids[-1]), maxweight, 0, 0, 0), _BLOCK_INFO_PROTOCOL
            )
            length = len(infobytes) + len(databytes)
            last = start + limit >= n
            postfile.write_int(-length if last else length)
            postfile.write(infobytes)
            postfile.write(databytes)
            pw._blockcount += 1

    def _write_small(self, pw: Any, ids: list[int], weights: np.ndarray) -> None:
        """One-block posting list, without numpy's per-call overhead on tiny arrays."""
        terminfo = pw._terminfo
        wlist = weights.tolist()
        maxweight = max(wlist)
        terminfo._weight += sum(wlist)
        terminfo._df += len(ids)
        terminfo._maxweight = max(terminfo._maxweight, maxweight)
        if terminfo._minid is None:
            terminfo._minid = ids[0]
        terminfo._maxid = ids[-1]
        deltas = array("I", [ids[0]])
        if len(ids) > 1:
            deltas.extend(map(operator.sub, ids[1:], ids))
        data = (deltas, array("f", weights.tobytes()), None)
        databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        infobytes = pickle.dumps((len(ids), ids[-1], maxweight, 0, 0, 0), _BLOCK_INFO_PROTOCOL)
        # One write call: header, negative length (= last block), info, data.
        pw._postfile.write(
            WHOOSH3_HEADER_MAGIC
            + pack_int(-(len(infobytes) + len(databytes)))
            + infobytes
            + databytes
        )
        pw._blockcount += 1
