#!/usr/bin/env bash
# Installs what panelproc needs on Debian 12 (idempotent): the C libraries it links, the fonts
# the sketch renderer draws with, and the tools the tests and benchmarks call.
set -euo pipefail

packages=(
  pkg-config
  libcmark-gfm-dev libcmark-gfm-extensions-dev cmark-gfm   # Markdown parser (+ CLI for the benchmark)
  libssl-dev                                               # SHA-256 from libcrypto
  libsqlite3-dev sqlite3                                   # trace and cache
  libcurl4-openssl-dev                                     # URLSession (FoundationNetworking)
  libcairo2-dev libpango1.0-dev fonts-dejavu-core          # offline sketch renderer
  python3 python3-pip                                      # JSON Schema validation and the fake image API in tests
  hyperfine                                                # benchmarks
  poppler-utils                                            # pdfinfo/pdftoppm/pdftotext: the thumbnail sheet's tests
  chromium                                                 # scripts/check-gallery.sh: the gallery in a real browser
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "setup: installing the jsonschema Python package" >&2
  python3 -m pip install --quiet jsonschema 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages jsonschema
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6 toolchain needed)" >&2; exit 1; }
echo "setup: ready" >&2
