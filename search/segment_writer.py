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

Documents arrive one at a time (``add_document``, Whoosh's interface, with the field
values of ``search.schema.doc_fields``) or a batch at a time (``add_batch``, with the
postings ``search.schema.analyse`` computed for the batch as numpy arrays: the
rebuild's path, with no Python work per posting). Stored fields are compressed with
zlib level 1 instead of Whoosh's 3: the same format (any level reads back), written
about twice as fast.
"""

from __future__ import annotations

import itertools
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
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

from search.schema import AnalysedBatch

# How add_document gets a field's terms (see ``BulkSegmentWriter._kind``).
_PRECOMPUTED, _WHOLE_VALUE, _ANALYSED, _NOT_INDEXED = 0, 1, 2, 3
# W3TermInfo row: flags, total weight, doc freq, min/max length byte, max weight,
# min/max id, then the extent (offset, length) of the posting list.
_TERMINFO = struct.Struct("!BfIBBfIIqi")
# OrderedHashWriter record header: key length, value length.
_LENGTHS = struct.Struct("!ii")
_STORED_ZLIB_LEVEL = 1


class BulkSegmentWriter(SegmentWriter):
    """Drop-in ``SegmentWriter`` for the document schema; see module docstring."""

    docnum: int  # set by ``SegmentWriter.__init__``: the next document's number

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
        # Postings of ``add_batch``: (term ids, docnums, weights) numpy chunks.
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._blocklimit: int = getattr(self.codec, "_blocklimit", 128)
        self._kinds: dict[str, int] = {}
        self._plans: dict[tuple[str, ...], list[tuple[str, Any, int, bool, Any]]] = {}
        stored = getattr(self.perdocwriter, "_colwriters", {}).get("_stored")
        compressor = getattr(stored, "_child", None)
        if compressor is not None and hasattr(compressor, "_level"):
            compressor._level = _STORED_ZLIB_LEVEL

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

    def add_batch(self, batch: AnalysedBatch) -> None:
        """Add ``batch.count`` new documents (never replaces: see ``add_document``)."""
        self._check_state()
        if not batch.count:
            return
        schema = self.schema
        perdocwriter = self.perdocwriter
        base = self.docnum
        stored_fields = {name: schema[name] for name in batch.stored[0]}
        columns = [(name, schema[name].column_type, values) for name, values in batch.columns.items()]
        for name in stored_fields:
            if not stored_fields[name].stored:
                raise ValueError(f"{name!r} is not a stored field")
        docnum = base
        for stored in batch.stored:
            perdocwriter.start_doc(docnum)
            for name, value in stored.items():
                perdocwriter.add_field(name, stored_fields[name], value, 0)
            for name, column, values in columns:
                perdocwriter.add_column_value(name, column, values[docnum - base])
            perdocwriter.finish_doc()
            docnum += 1
        self.docnum = docnum
        self._added = True
        for name, postings in batch.postings.items():
            if not len(postings.term):
                continue
            if not schema[name].indexed:
                raise ValueError(f"{name!r} is not an indexed field")
            ids = self._term_ids.get(name)
            if ids is None:
                ids = self._term_ids[name] = _TermIds(self._counter)
            tid_of = np.fromiter(map(ids.__getitem__, postings.terms), np.int32, len(postings.terms))
            self._chunks.append(
                (tid_of[postings.term], postings.doc.astype(np.uint32) + base, postings.weight)
            )

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
        chunks, self._chunks = self._chunks, []
        sources = list(chunks)
        if self._tids:
            sources.append(
                (
                    np.frombuffer(self._tids, dtype=np.int32),
                    np.repeat(
                        np.frombuffer(self._run_docs, dtype=np.uint32),
                        np.frombuffer(self._run_lens, dtype=np.uint32),
                    ),
                    np.frombuffer(self._weights, dtype=np.float32),
                )
            )
        if sources:
            # Group by term id. Batches and single documents each appended their
            # postings in docnum order, so when only one of them was used a stable
            # sort keeps each group sorted; otherwise (both, or merged-in postings)
            # sort by docnum too.
            in_order = not self._merged and not (chunks and self._tids)
            del chunks
            if len(sources) == 1:
                tids, docs, weights = sources[0]
            else:
                tids = np.concatenate([src[0] for src in sources])
                docs = np.concatenate([src[1] for src in sources])
                weights = np.concatenate([src[2] for src in sources])
            del sources
            order = _stable_argsort(tids) if in_order else np.lexsort((docs, tids))
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
            dbytes = deltas.astype("<u4").tobytes()
            wbytes = weights.astype("<f4").tobytes()
            del deltas, wpad, wpad64
            for plan in plans:
                fw.start_field(plan.fieldname, plan.field)
                self._write_field(fw, plan, dbytes, wbytes)
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

    def _write_field(self, fw: Any, plan: _FieldPlan, dbytes: bytes, wbytes: bytes) -> None:
        """Write one field's posting lists and term-table rows in bulk.

        Produces what ``W3FieldWriter``/``W3PostingsWriter`` write term by term
        (blocks of at most ``blocklimit`` postings, each a pickled (ids, weights,
        None) tuple behind a pickled block-info tuple; one ``W3TermInfo`` row per
        term in the ordered hash file), but with the statistics precomputed and
        each file written with one call per field.
        """
        postfile = fw._postfile
        pos = postfile.tell()
        offsets_a, lengths_a, pieces = _posting_blocks(plan, pos, dbytes, wbytes)
        postfile.write(b"".join(pieces))
        offsets = offsets_a.tolist()
        lengths = lengths_a.tolist()

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


# A posting block as the W3 codec writes it: a 4-byte big-endian length (negative for
# the term's last block), the pickled block info (count, last id, max weight, 0, 0, 0)
# and the pickled data (array("I", id deltas), array("f", weights), None). The pickles
# are spelled out here (protocol 2 and 3 opcodes; ``pickle.loads`` reads them back as
# the same objects) so that a whole field's blocks are laid out with numpy and joined
# in C, with no Python call per block.
def _array_pickle_head(typecode: str) -> bytes:
    mformat = array(typecode).__reduce_ex__(3)[1][2]
    return b"X\x01\x00\x00\x00" + typecode.encode() + b"K" + bytes([int(mformat)]) + b"B"


_DATA_OPEN = (
    b"\x80\x03carray\n_array_reconstructor\nq\x00(carray\narray\nq\x01" + _array_pickle_head("I")
)
_DATA_MID = b"tRh\x00(h\x01" + _array_pickle_head("f")
_DATA_CLOSE = b"tRN\x87."
_INFO_LEN = 30  # of the pickled block info, from "info_open" to "info_close"
_BLOCK_HEAD = np.dtype(
    [
        ("length", ">i4"),
        ("info_open", "S4"),  # PROTO 2, MARK, BININT
        ("count", "<i4"),
        ("info_j", "S1"),  # BININT
        ("last_id", "<i4"),
        ("info_g", "S1"),  # BINFLOAT
        ("max_weight", ">f8"),
        ("info_close", "S8"),  # three BININT1 0, TUPLE, STOP
        ("data_open", f"S{len(_DATA_OPEN)}"),  # ... BINBYTES
        ("ids_bytes", "<u4"),
    ]
)
_BLOCK_MID = np.dtype([("mid", f"S{len(_DATA_MID)}"), ("weight_bytes", "<u4")])


def _posting_blocks(
    plan: _FieldPlan, pos: int, dbytes: bytes, wbytes: bytes
) -> tuple[np.ndarray, np.ndarray, Iterator[bytes]]:
    """(offset and length of each term's postings, the bytes to write from ``pos``)."""
    nb = len(plan.bstart)
    n = (plan.bend - plan.bstart).astype(np.int64)
    first = np.zeros(nb, dtype=bool)
    first[np.cumsum(plan.nblocks) - plan.nblocks] = True
    magic = len(WHOOSH3_HEADER_MAGIC)
    data_len = len(_DATA_OPEN) + 4 + 4 * n + _BLOCK_MID.itemsize + 4 * n + len(_DATA_CLOSE)
    length = _INFO_LEN + data_len
    size = 4 + length + magic * first
    term_size = np.add.reduceat(size, np.flatnonzero(first))
    term_offset = pos + np.cumsum(term_size) - term_size

    head = np.empty(nb, dtype=_BLOCK_HEAD)
    head["length"] = np.where(plan.blast, -length, length)
    head["info_open"] = b"\x80\x02(J"
    head["count"] = n
    head["info_j"] = b"J"
    head["last_id"] = plan.blastid
    head["info_g"] = b"G"
    head["max_weight"] = plan.bmax
    head["info_close"] = b"K\x00K\x00K\x00t."
    head["data_open"] = _DATA_OPEN
    head["ids_bytes"] = 4 * n
    mid = np.empty(nb, dtype=_BLOCK_MID)
    mid["mid"] = _DATA_MID
    mid["weight_bytes"] = 4 * n

    def fixed(blob: bytes, width: int) -> Iterator[bytes]:
        return map(blob.__getitem__, map(slice, range(0, nb * width, width), range(width, nb * width + 1, width)))

    starts = (4 * plan.bstart).tolist()
    ends = (4 * plan.bend).tolist()
    pieces = itertools.chain.from_iterable(
        zip(
            map((b"", WHOOSH3_HEADER_MAGIC).__getitem__, first.tolist()),
            fixed(head.tobytes(), _BLOCK_HEAD.itemsize),
            map(dbytes.__getitem__, map(slice, starts, ends)),
            fixed(mid.tobytes(), _BLOCK_MID.itemsize),
            map(wbytes.__getitem__, map(slice, starts, ends)),
            itertools.repeat(_DATA_CLOSE, nb),
            strict=True,
        )
    )
    return term_offset, term_size, pieces


def _stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` for non-negative int32 values, as one or
    two passes of numpy's radix sort on 16-bit digits (about twice as fast)."""
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    if len(values) and int(values.max()) > 0xFFFF:
        high = (values >> 16).astype(np.uint16)[order]
        order = order[np.argsort(high, kind="stable")]
    return order


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
