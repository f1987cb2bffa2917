#!/usr/bin/env bash
# Install Debian's poppler-utils for the report tests (pdftotext reads a rendered PDF back,
# pdftoppm draws its page).
set -euo pipefail
if command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "Installing poppler-utils from Debian's packages..." >&2
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq poppler-utils >/dev/null
pdftotext -v 2>&1 | head -1
