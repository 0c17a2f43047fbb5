"""Child process that extracts PDF text; run only by ``search.extract``.

Reads the PDF from the path given on the command line, prints one JSON object
({"text": …, "pages": n} or {"error": …}) on stdout. The parent sets CPU and memory
limits before this starts and kills it on a wall-clock timeout, so a hostile file can
at worst make this process die.
"""

from __future__ import annotations

import json
import sys

# Tighter than pypdf's defaults (75 MB per stream): a commune's documents are text,
# and a decompression bomb should fail fast rather than fill the memory limit.
PDF_LIMITS = {
    "maximum_declared_stream_length": 20_000_000,
    "zlib_maximum_output_length": 20_000_000,
    "lzw_maximum_output_length": 20_000_000,
    "run_length_maximum_output_length": 20_000_000,
    "array_based_stream_maximum_output_length": 20_000_000,
    "stream_decoding_work_maximum_length": 60_000_000,
    "page_tree_maximum_entries": 20_000,
    "page_tree_maximum_depth": 50,
    "image_maximum_buffer_size": 20_000_000,
}
MAX_PAGES = 2000
MAX_CHARS = 5_000_000


def main(path: str) -> int:
    try:
        from pypdf import PdfReader, overwrite_configuration

        overwrite_configuration(None, **PDF_LIMITS)  # None: on top of the current configuration
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                print(json.dumps({"error": "encrypted"}))
                return 0
        parts: list[str] = []
        size = 0
        pages = 0
        for page in reader.pages:
            pages += 1
            if pages > MAX_PAGES:
                break
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size > MAX_CHARS:
                break
        print(json.dumps({"text": "\n".join(parts)[:MAX_CHARS], "pages": pages}))
    except RecursionError:
        print(json.dumps({"error": "malformed PDF (recursion)"}))
    except MemoryError:
        print(json.dumps({"error": "memory limit"}))
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
