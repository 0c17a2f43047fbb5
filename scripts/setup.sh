#!/usr/bin/env bash
# Sets up everything Xã Số needs in this folder: a virtual environment with the Python
# packages, the front-end libraries from the npm registry (copied into the git-ignored
# docmgmt/static/vendor), and the compiled translation catalogues.
# Usage: scripts/setup.sh [--dev]     (--dev adds the test and lint tools)
set -euo pipefail
cd "$(dirname "$0")/.."

extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Xã Số needs Python 3.11 or newer (found: $("$python" --version 2>&1))." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "Xã Số needs Node.js and npm to install its front-end libraries (apt-get install -y nodejs npm)." >&2
  exit 1
fi

# System packages, installed with apt-get when run as root:
# - to build PyICU (Vietnamese collation of people's names) until it is in .venv;
# - what the features use at run time: LibreOffice turns drafts into PDF, the Liberation
#   fonts (metric-compatible with Times New Roman) set documents and signatures, OCRmyPDF
#   with tesseract's Vietnamese data reads scans for the search (in the worker).
build=()
if ! .venv/bin/python -c 'import icu' 2>/dev/null; then
  dpkg -s libicu-dev >/dev/null 2>&1 || build+=(libicu-dev)
  command -v pkg-config >/dev/null || build+=(pkg-config)
  command -v g++ >/dev/null || build+=(g++)
fi
runtime=()
command -v soffice >/dev/null || runtime+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null || runtime+=(poppler-utils)
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || runtime+=(fonts-liberation2)
command -v ocrmypdf >/dev/null || runtime+=(ocrmypdf)
tesseract --list-langs 2>/dev/null | grep -qx vie || runtime+=(tesseract-ocr-vie)
need=("${build[@]}" "${runtime[@]}")
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  elif [ ${#build[@]} -gt 0 ]; then
    echo "Xã Số needs ${need[*]}. Install them (sudo apt-get install -y ${need[*]}) and run again." >&2
    exit 1
  else
    echo "Missing system packages (install them: sudo apt-get install -y ${runtime[*]}):" >&2
    for package in "${runtime[@]}"; do
      case "$package" in
        libreoffice-writer-nogui|poppler-utils) echo "  $package: drafts are not turned into PDF (upload a PDF instead)" >&2 ;;
        fonts-liberation2) echo "  $package: documents fall back to other fonts" >&2 ;;
        ocrmypdf|tesseract-ocr-vie) echo "  $package: scans are not read (OCR); they wait, listed by 'flask search status'" >&2 ;;
      esac
    done
  fi
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
# Reinstall only when pyproject.toml changed since the last install.
stamp=".venv/.xaso-installed${extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".${extra}"
  touch "$stamp"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
scripts/vendor.sh

.venv/bin/pybabel compile -d docmgmt/translations >/dev/null
