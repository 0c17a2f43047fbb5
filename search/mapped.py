"""Read the files inside a compound Whoosh segment straight from the memory map.

Whoosh maps a compound segment (``*.seg``) with ``mmap`` and then hands out each
file inside it as a ``BufferFile``, whose constructor wraps the mapped bytes in
``io.BytesIO`` — which *copies* them. Opening a reader therefore copied the whole
term table and posting file into the process heap, and the first ``stored_fields``
call copied the stored-fields column too: ~50 ms per 20,000 documents on the first
query of every process, and the index's size in private memory per web worker.

``RegionFile`` reads the same bytes in place: every read slices the shared map (only
the bytes asked for are copied), and each file keeps its own position, so the files
of one segment never disturb each other. ``install()`` makes ``CompoundStorage``
hand these out; the on-disk format is untouched.
"""

from __future__ import annotations

import io
import mmap
import pickle
import struct
from array import array
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import StructFile
from whoosh.system import IS_LITTLE

_INT = struct.Struct("!i")
_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 8, "L": 8, "q": 8, "Q": 8, "f": 4, "d": 8}
# Posting block headers and the like are a few dozen bytes; a first try with this
# window nearly always holds the whole pickle.
_PICKLE_WINDOW = 256


class RegionFile(StructFile):
    """A read-only ``StructFile`` over ``source[base:base + length]`` (no copy)."""

    def __init__(self, source: mmap.mmap, base: int, length: int, name: str | None = None) -> None:
        self._src = source
        self._base = base
        self._length = length
        self._pos = 0
        self._name = name
        self.file = None
        self.onclose = None
        self.is_closed = False
        self.is_real = False

    def __iter__(self) -> Any:
        return iter(io.BytesIO(self.get(0, self._length)))

    def raw_file(self) -> Any:
        return io.BytesIO(self.get(0, self._length))

    def read(self, size: int | None = -1) -> bytes:
        pos = self._pos
        end = self._length if size is None or size < 0 else min(self._length, pos + size)
        if end <= pos:
            return b""
        self._pos = end
        return self._src[self._base + pos : self._base + end]

    def readline(self, size: int | None = -1) -> bytes:
        start = self._base + self._pos
        stop = self._base + self._length
        nl = self._src.find(b"\n", start, stop)
        end = stop if nl < 0 else nl + 1
        if size is not None and size >= 0:
            end = min(end, start + size)
        self._pos = end - self._base
        return self._src[start:end]

    def seek(self, where: int, whence: int = 0) -> int:
        if whence == 1:
            where += self._pos
        elif whence == 2:
            where += self._length
        self._pos = where
        return where

    def tell(self) -> int:
        return self._pos

    def write(self, *args: Any, **kwargs: Any) -> Any:
        raise io.UnsupportedOperation("read-only")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        # The map belongs to the compound storage, which closes it.
        if self.is_closed:
            raise Exception("This file is already closed")
        self.is_closed = True

    def subset(self, position: int, length: int, name: str | None = None) -> RegionFile:
        return RegionFile(self._src, self._base + position, length, name or self._name)

    # -- the calls the W3 codec makes per posting block and per column ---------------

    def get(self, position: int, length: int) -> bytes:
        start = self._base + position
        return self._src[start : start + max(0, min(length, self._length - position))]

    def read_int(self) -> int:
        pos = self._pos
        self._pos = pos + 4
        return int(_INT.unpack_from(self._src, self._base + pos)[0])

    def get_int(self, position: int) -> int:
        return int(_INT.unpack_from(self._src, self._base + position)[0])

    def read_pickle(self) -> Any:
        window = _PICKLE_WINDOW
        while True:
            chunk = self.get(self._pos, window)
            buf = io.BytesIO(chunk)
            try:
                value = pickle.load(buf)
            except (EOFError, pickle.UnpicklingError, ValueError, IndexError):
                if len(chunk) < window:  # the whole rest of the file: really bad data
                    raise
                window *= 4
                continue
            self._pos += buf.tell()
            return value

    def read_array(self, typecode: str, length: int) -> array:
        a = array(typecode, self.read(length * _SIZES[typecode]))
        if IS_LITTLE:
            a.byteswap()
        return a

    def get_array(self, position: int, typecode: str, length: int) -> array:
        a = array(typecode, self.get(position, length * _SIZES[typecode]))
        if IS_LITTLE:
            a.byteswap()
        return a


_original_open_file = compound.CompoundStorage.open_file


def _open_file(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    source = getattr(self, "_source", None)
    if source is None or self.is_closed:
        return _original_open_file(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return RegionFile(source, offset, length, name)


def install() -> None:
    """Have compound segments hand out ``RegionFile``s (idempotent)."""
    compound.CompoundStorage.open_file = _open_file
