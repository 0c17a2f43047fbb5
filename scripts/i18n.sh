#!/usr/bin/env bash
# Extracts every translatable string (source strings are Vietnamese) and updates the
# English catalogue; translate the new entries in docmgmt/translations/en/…/messages.po.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=$(mktemp --suffix=.pot)
.venv/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ -k lazy_pgettext:1c,2 -o "$pot" --no-location --sort-output . >/dev/null 2>&1
# Words the extractor cannot see (translated through a variable): the names of the NĐ30
# document types, lazy_pgettext("doc type", name) in docmgmt/documents/types.py.
.venv/bin/python - "$pot" <<'PY'
import sys
from babel.messages.pofile import read_po, write_po
from docmgmt.documents.types import DOC_TYPES
with open(sys.argv[1], "rb") as f:
    cat = read_po(f)
for t in DOC_TYPES:
    cat.add(t.name, context="doc type")
with open(sys.argv[1], "wb") as f:
    write_po(f, cat, sort_output=True, no_location=True)
PY
po=docmgmt/translations/en/LC_MESSAGES/messages.po
if [ -f "$po" ]; then
  .venv/bin/pybabel update -i "$pot" -d docmgmt/translations -l en --no-fuzzy-matching >/dev/null 2>&1
else
  .venv/bin/pybabel init -i "$pot" -d docmgmt/translations -l en >/dev/null 2>&1
fi
rm -f "$pot"
untranslated=$(.venv/bin/python - "$po" <<'PY'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as f:
    cat = read_po(f)
print(sum(1 for m in cat if m.id and not m.string))
PY
)
echo "English catalogue: $untranslated untranslated entries"
