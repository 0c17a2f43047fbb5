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
import pickle
import struct
from array import array
from collections.abc import Iterator
from hashlib import md5
from typing import Any

import numpy as np
from whoosh import fields as whoosh_fields
from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_int, pack_ushort
from whoosh.writing import SegmentWriter

# How add_document gets a field's terms (see ``BulkSegmentWriter._kind``).
_PRECOMPUTED, _WHOLE_VALUE, _ANALYSED, _NOT_INDEXED = 0, 1, 2, 3
_BLOCK_INFO_PROTOCOL = 2  # what the W3 reader expects for the block header tuple
# W3TermInfo row: flags, total weight, doc freq, min/max length byte, max weight,
# min/max id, then the extent (offset, length) of the posting list.
_TERMINFO = struct.Struct("!BfIBBfIIqi")
# OrderedHashWriter record header: key length, value length.
_LENGTHS = struct.Struct("!ii")


class BulkSegmentWriter(SegmentWriter):
    """Drop-in ``SegmentWriter`` for the document schema; see module docstring."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # fieldname → term → term id, unique across fields (one shared counter).
        self._counter = itertools.count()
        self._term_ids: dict[str, _TermIds] = {}
        # Postings as flat arrays: term id and weight per posting; docnums as runs
        # (one run per document and field), expanded with ``np.repeat`` at flush.
        self._tids = array("i")
        self._weights = array("f")
        self._run_docs = array("I")
        self._run_lens = array("I")
        self._blocklimit: int = getattr(self.codec, "_blocklimit", 128)
        self._kinds: dict[str, int] = {}
        self._plans: dict[tuple[str, ...], list[tuple[str, Any, int, bool, Any]]] = {}

    def _kind(self, name: str, field: Any) -> int:
        """How ``add_document`` turns a value of this field into terms."""
        kind = self._kinds.get(name)
        if kind is None:
            if getattr(field, "precomputed", False):
                kind = _PRECOMPUTED
            elif (
                type(field) is whoosh_fields.ID
                and type(field.analyzer) is IDTokenizer
                and type(field.format) is formats.Existence
                and field.format.field_boost == 1.0
            ):
                kind = _WHOLE_VALUE
            else:
                kind = _ANALYSED
            self._kinds[name] = kind
        return kind

    def _plan(self, keys: tuple[str, ...]) -> list[tuple[str, Any, int, bool, Any]]:
        """Per field name set (documents share one): (name, field, kind, stored, column)
        in name order, with the field names checked once."""
        plan = self._plans.get(keys)
        if plan is None:
            schema = self.schema
            names = sorted(name for name in keys if not name.startswith("_"))
            self._check_fields(schema, names)
            plan = []
            for name in names:
                field = schema[name]
                kind = self._kind(name, field) if field.indexed else _NOT_INDEXED
                plan.append((name, field, kind, bool(field.stored), field.column_type))
            self._plans[keys] = plan
        return plan

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        plan = self._plan(tuple(fields))
        docnum = self.docnum
        tids_extend = self._tids.extend
        run_docs_append = self._run_docs.append
        run_lens_append = self._run_lens.append
        weights_array = self._weights

        perdocwriter.start_doc(docnum)
        try:
            for name, field, kind, stored, column in plan:
                value = fields[name]
                if value is None:
                    continue
                if kind != _NOT_INDEXED:
                    if kind == _PRECOMPUTED:
                        terms, weights = value
                    elif kind == _WHOLE_VALUE and type(value) is str:
                        # What ``ID.index`` yields, without the analyzer pipeline.
                        terms, weights = [value.encode("utf-8")], [1.0]
                    else:
                        items = list(field.index(value))
                        terms = [tb for tb, _f, _w, _v in items]
                        weights = [w for _tb, _f, w, _v in items]
                    ids = self._term_ids.get(name)
                    if ids is None:
                        ids = self._term_ids[name] = _TermIds(self._counter)
                    # ``map(dict.__getitem__)`` runs in C; only a new term calls
                    # ``__missing__``.
                    tids_extend(map(ids.__getitem__, terms))
                    run_docs_append(docnum)
                    run_lens_append(len(terms))
                    if type(weights) is list:
                        weights_array.fromlist(weights)  # faster than extend()
                    else:
                        weights_array.extend(weights)
                perdocwriter.add_field(name, field, value if stored else None, 0)
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
            ids = self._term_ids.get(fieldname)
            if ids is None:
                ids = self._term_ids[fieldname] = _TermIds(self._counter)
            self._tids.append(ids[term])
            self._run_docs.append(docnum)
            self._run_lens.append(1)
            self._weights.append(weight)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self._drain_pool()
        fw = self.fieldwriter
        if self._tids:
            tids = np.frombuffer(self._tids, dtype=np.int32)
            docs = np.repeat(
                np.frombuffer(self._run_docs, dtype=np.uint32),
                np.frombuffer(self._run_lens, dtype=np.uint32),
            )
            weights = np.frombuffer(self._weights, dtype=np.float32)
            # Group by term id. Documents were appended in docnum order, so a stable
            # sort keeps each group sorted; merged-in postings may not be, so lexsort.
            order = np.lexsort((docs, tids)) if self._merged else np.argsort(tids, kind="stable")
            tids, docs, weights = tids[order], docs[order], weights[order]
            del order
            # Term ids are dense (one counter): the postings of id t are
            # [group_starts[t], group_starts[t] + group_counts[t]).
            group_counts = np.bincount(tids).astype(np.int64)
            group_starts = np.cumsum(group_counts) - group_counts
            # Ids are delta-coded from 0 in every block (the W3 reader's rule): the
            # delta of every posting against its predecessor, except that the first
            # posting of a block carries its id.
            deltas = np.empty(len(docs), dtype=np.uint32)
            deltas[0] = docs[0]
            np.subtract(docs[1:], docs[:-1], out=deltas[1:])
            # One padding element so that a segment may end at len(weights) in
            # ``_segment_reduce``.
            wpad = np.concatenate((weights, weights[:1]))
            wpad64 = wpad.astype(np.float64)
            plans = []
            for fieldname in sorted(self._term_ids):
                plan = self._plan_field(fieldname, group_starts, group_counts, docs, wpad, wpad64)
                if plan is not None:
                    deltas[plan.bstart] = docs[plan.bstart]
                    plans.append(plan)
            darr = array("I", deltas.tobytes())
            warr = array("f", weights.tobytes())
            del deltas, wpad, wpad64
            for plan in plans:
                fw.start_field(plan.fieldname, plan.field)
                self._write_field(fw, plan, darr, warr)
                fw.finish_field()
        fw.close()
        self._term_ids.clear()

    def _plan_field(
        self,
        fieldname: str,
        group_starts: np.ndarray,
        group_counts: np.ndarray,
        docs: np.ndarray,
        wpad: np.ndarray,
        wpad64: np.ndarray,
    ) -> _FieldPlan | None:
        """Blocks and per-block/per-term statistics of one field, computed with numpy."""
        field = self.schema[fieldname]
        ids = self._term_ids[fieldname]
        if not ids:
            return None
        precomputed = getattr(field, "precomputed", False)
        # UTF-8 byte order equals code point order, so str terms sort right.
        sorted_terms = sorted(ids)
        tid_keys = np.fromiter(map(ids.__getitem__, sorted_terms), np.int64, len(ids))
        terms = [t.encode("utf-8") for t in sorted_terms] if precomputed else sorted_terms
        starts = group_starts[tid_keys]
        counts = group_counts[tid_keys]
        ends = starts + counts
        limit = self._blocklimit

        # Blocks, in output order (term by term): [bstart, bend) in the posting arrays.
        nblocks = (counts + (limit - 1)) // limit
        first_block = np.cumsum(nblocks) - nblocks
        nb = int(nblocks[-1] + first_block[-1])
        block_term = np.repeat(np.arange(len(terms)), nblocks)
        block_k = np.arange(nb) - first_block[block_term]
        bstart = starts[block_term] + block_k * limit
        bend = np.minimum(bstart + limit, ends[block_term])

        plan = _FieldPlan()
        plan.fieldname = fieldname
        plan.field = field
        plan.terms = terms
        plan.bstart = bstart
        plan.bend = bend
        plan.blast = block_k == nblocks[block_term] - 1
        plan.nblocks = nblocks
        plan.bmax = _segment_reduce(np.maximum, wpad, bstart, bend)
        plan.blastid = docs[bend - 1]
        plan.counts = counts
        plan.tmax = np.maximum.reduceat(plan.bmax, first_block)
        plan.tsum = _segment_reduce(np.add, wpad64, starts, ends)
        plan.minid = docs[starts]
        plan.maxid = docs[ends - 1]
        return plan

    def _write_field(self, fw: Any, plan: _FieldPlan, darr: array, warr: array) -> None:
        """Write one field's posting lists and term-table rows in bulk.

        Produces what ``W3FieldWriter``/``W3PostingsWriter`` write term by term
        (blocks of at most ``blocklimit`` postings, each a pickled (ids, weights,
        None) tuple behind a pickled block-info tuple; one ``W3TermInfo`` row per
        term in the ordered hash file), but with the statistics precomputed and
        each file written with one call per field.
        """
        postfile = fw._postfile
        chunks: list[bytes] = []
        append = chunks.append
        offsets: list[int] = []
        lengths: list[int] = []
        pos = postfile.tell()
        dumps = pickle.dumps
        proto = pickle.HIGHEST_PROTOCOL
        magic = WHOOSH3_HEADER_MAGIC
        bs_l = plan.bstart.tolist()
        be_l = plan.bend.tolist()
        last_l = plan.blast.tolist()
        bmax_l = plan.bmax.tolist()
        blastid_l = plan.blastid.tolist()
        b = 0
        for nbk in plan.nblocks.tolist():
            append(magic)
            term_start = pos
            pos += len(magic)
            for _ in range(nbk):
                a, e = bs_l[b], be_l[b]
                databytes = dumps((darr[a:e], warr[a:e], None), proto)
                infobytes = dumps((e - a, blastid_l[b], bmax_l[b], 0, 0, 0), _BLOCK_INFO_PROTOCOL)
                length = len(infobytes) + len(databytes)
                append(pack_int(-length if last_l[b] else length))
                append(infobytes)
                append(databytes)
                pos += 4 + length
                b += 1
            offsets.append(term_start)
            lengths.append(pos - term_start)
        postfile.write(b"".join(chunks))
        del chunks

        # Term table rows, as ``W3FieldWriter.finish_term`` → ``OrderedHashWriter.add``.
        tindex = fw._tindex
        dbfile = tindex.dbfile
        prefix = pack_ushort(fw._fieldid)
        keys = [prefix + t for t in plan.terms]
        if keys[0] <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
        pack_ti = _TERMINFO.pack
        pack_len = _LENGTHS.pack
        buckets = tindex.buckets
        positions: list[int] = []
        index_append = positions.append
        recs: list[bytes] = []
        rappend = recs.append
        tpos = dbfile.tell()
        for key, df, wsum, mx, lo, hi, off, ln in zip(
            keys,
            plan.counts.tolist(),
            plan.tsum.tolist(),
            plan.tmax.tolist(),
            plan.minid.tolist(),
            plan.maxid.tolist(),
            offsets,
            lengths,
            strict=True,
        ):
            value = pack_ti(0, wsum, df, 0, 0, max(0.0, mx), lo, hi, off, ln)
            rec = pack_len(len(key), len(value)) + key + value
            index_append(tpos)
            # ``filetables.md5_hash``: the low 32 bits of the key's MD5.
            h = int.from_bytes(md5(key).digest()[12:], "big")
            buckets[h & 255].append((h, tpos))
            rappend(rec)
            tpos += len(rec)
        dbfile.write(b"".join(recs))
        tindex.lastkey = keys[-1]
        _extend_growable(tindex.index, positions)


def _extend_growable(ga: Any, values: list[int]) -> None:
    """``GrowableArray.extend`` without a Python call per item: widen the typecode
    once (as its ``append`` would on overflow), then extend in C."""
    if not values:
        return
    try:
        more = array(ga.array.typecode, values)
    except OverflowError:
        ga._retype(max(values))
        more = array(ga.array.typecode, values)
    ga.array.extend(more)


def _segment_reduce(
    ufunc: np.ufunc, padded: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """``ufunc.reduce(padded[s:e])`` for each non-empty, non-overlapping [s, e);
    ``padded`` has one element more than any ``e``."""
    order = np.argsort(starts, kind="stable")
    idx = np.empty(2 * len(starts), dtype=np.int64)
    idx[0::2] = starts[order]
    idx[1::2] = ends[order]
    out = np.empty(len(starts), dtype=padded.dtype)
    out[order] = ufunc.reduceat(padded, idx)[0::2]
    return out


class _TermIds(dict):  # type: ignore[type-arg]
    """term → term id; a new term takes the next value of the shared counter."""

    __slots__ = ("_next",)

    def __init__(self, counter: Iterator[int]) -> None:
        super().__init__()
        self._next = counter.__next__

    def __missing__(self, term: Any) -> int:
        tid = self[term] = self._next()
        return tid


class _FieldPlan:
    """What ``_write_field`` needs for one field (see ``_plan_field``)."""

    fieldname: str
    field: Any
    terms: list[bytes]
    bstart: np.ndarray
    bend: np.ndarray
    blast: np.ndarray
    nblocks: np.ndarray
    bmax: np.ndarray
    blastid: np.ndarray
    counts: np.ndarray
    tmax: np.ndarray
    tsum: np.ndarray
    minid: np.ndarray
    maxid: np.ndarray
