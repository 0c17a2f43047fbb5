#!/usr/bin/env bash
# Copies the front-end libraries installed from the npm registry (package.json and
# package-lock.json) into docmgmt/static/vendor, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."
v=docmgmt/static/vendor
rm -rf "$v" && mkdir -p "$v"/{bootstrap,bootstrap-icons,htmx,socket.io,pdfjs,flatpickr,tom-select,echarts}
cp -r node_modules/bootstrap/dist/js "$v/bootstrap/"
# Weak networks (a commune on 400 kbit/s): only what the pages use is sent.
# - Bootstrap's stylesheet without the classes no template, script or Python code names
#   (PurgeCSS, pinned in package.json; what it keeps: scripts/purgecss.config.mjs).
node_modules/.bin/purgecss -c scripts/purgecss.config.mjs -o "$v/bootstrap/css"
# - Bootstrap Icons: the font cut to the icons used (~13 KB instead of ~130 KB) and a
#   stylesheet naming only those, at the paths of the full set (tests/test_static_assets.py
#   checks that every icon a template names is in it).
.venv/bin/python scripts/icons_subset.py node_modules/bootstrap-icons/font "$v/bootstrap-icons/font"
cp node_modules/htmx.org/dist/htmx.min.js "$v/htmx/"
cp node_modules/socket.io-client/dist/socket.io.min.js node_modules/socket.io-client/dist/socket.io.min.js.map "$v/socket.io/"
# pdf.js for the meeting room's presenter view: ES modules, the worker loaded by the page,
# and the data it fetches on demand (CJK character maps, the 14 standard fonts when a PDF
# does not embed them, JPEG 2000/JBIG2 decoders for scans).
cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs "$v/pdfjs/"
cp -r node_modules/pdfjs-dist/cmaps node_modules/pdfjs-dist/standard_fonts node_modules/pdfjs-dist/wasm "$v/pdfjs/"
# flatpickr: the date picker that shows and accepts dd/mm/yyyy whatever the browser's language
# (app.js loads it on the pages that have an input marked data-date), with its Vietnamese months.
cp node_modules/flatpickr/dist/flatpickr.min.js node_modules/flatpickr/dist/flatpickr.min.css \
  node_modules/flatpickr/dist/l10n/vn.js "$v/flatpickr/"
# Tom Select: the searchable, grouped people pickers (direction, meeting members, recipients).
cp node_modules/tom-select/dist/js/tom-select.complete.min.js \
  node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css "$v/tom-select/"
# ECharts: the dashboard's charts (docmgmt/static/js/charts.js draws them from the figures
# embedded in the page; the tables beside them carry the same numbers without JavaScript).
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$v/echarts/"
