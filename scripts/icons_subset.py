"""Cut the Bootstrap Icons font down to the icons Xã Số shows (run by scripts/vendor.sh).

The full font is ~130 KB of woff2 for 2,000 icons; a page shows a few dozen. The names are
found where they are written: ``bi-NAME`` classes in templates and scripts, and names in
quotes (a menu entry's ``"house"``, a macro's ``icon="inbox"``, room.js's ``icon("check")``)
in templates, our JavaScript and the Python code. Any quoted word that is an icon's name
is kept: a few glyphs too many cost little, one too few shows a blank square.

Writes ``<out>/bootstrap-icons.min.css`` and ``<out>/fonts/bootstrap-icons.woff2``, at the
paths where the full set was, so pages name them the same way.

Usage: .venv/bin/python scripts/icons_subset.py node_modules/bootstrap-icons/font OUT_DIR
"""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    (ROOT / "templates", "*.html"),
    (ROOT / "docmgmt" / "static", "*.js"),
    (ROOT / "docmgmt", "*.py"),
    (ROOT / "meetings", "*.py"),
]
_CLASS = re.compile(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)")
_QUOTED = re.compile(r"""["']([a-z0-9]+(?:-[a-z0-9]+)*)["']""")
# Written into the subset stylesheet so that scripts (and tests) can tell it from the full one.
MARKER = "/* bootstrap-icons subset: the icons used by Xã Số (scripts/icons_subset.py) */"


def source_files() -> list[Path]:
    files = []
    for folder, pattern in SOURCES:
        files += [p for p in folder.rglob(pattern) if "vendor" not in p.parts and "node_modules" not in p.parts]
    return sorted(files)


def used_icons(known: set[str]) -> set[str]:
    used: set[str] = set()
    for path in source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        used.update(n for n in _CLASS.findall(text) if n in known)
        used.update(n for n in _QUOTED.findall(text) if n in known)
    return used


def main(src: Path, out: Path) -> None:
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # its notes on the font's tables are no news

    codes: dict[str, int] = json.loads((src / "bootstrap-icons.json").read_text())
    names = sorted(used_icons(set(codes)))
    (out / "fonts").mkdir(parents=True, exist_ok=True)
    font_out = out / "fonts" / "bootstrap-icons.woff2"
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = []
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(str(src / "fonts" / "bootstrap-icons.woff2"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[codes[n] for n in names])
    subsetter.subset(font)
    subset.save_font(font, str(font_out), options)

    # The rules of the full stylesheet that are not one icon's glyph, then one per icon kept.
    rules = [
        MARKER,
        '@font-face{font-display:block;font-family:"bootstrap-icons";'
        'src:url("fonts/bootstrap-icons.woff2") format("woff2")}',
        '.bi::before,[class^="bi-"]::before,[class*=" bi-"]::before{display:inline-block;'
        'font-family:bootstrap-icons !important;font-style:normal;font-weight:normal !important;'
        'font-variant:normal;text-transform:none;line-height:1;vertical-align:-.125em;'
        '-webkit-font-smoothing:antialiased;-moz-osx-font-smoothing:grayscale}',
    ]
    rules += [f'.bi-{n}::before{{content:"\\{codes[n]:x}"}}' for n in names]
    (out / "bootstrap-icons.min.css").write_text("\n".join(rules) + "\n", encoding="utf-8")
    print(f"bootstrap-icons: {len(names)} of {len(codes)} icons, "
          f"{font_out.stat().st_size // 1024} KB woff2", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
