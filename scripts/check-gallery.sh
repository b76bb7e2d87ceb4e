#!/usr/bin/env bash
# The gallery in a real browser. Installs Debian's chromium if missing, builds panelproc, runs the
# examples plus a hostile chapter (HTML in its title, panel title, dialogue, caption, a character's
# name and its file name) in a scratch copy, and checks every gallery page with headless Chromium
# over the DevTools protocol (scripts/check_gallery.py): every <img> loaded, no request left the
# machine, no script from the writer's text ran, links relative. Then it proves the check can
# fail: a broken image, an unescaped payload and an outside request, each in a scratch copy, must
# each make it fail. Screenshots go to $CHECK_GALLERY_OUT (default .build/check-gallery).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${CHECK_GALLERY_OUT:-$root/.build/check-gallery}

if ! command -v chromium >/dev/null; then
  echo "check-gallery: installing chromium" >&2
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

swift build --product panelproc
bin=$(swift build --show-bin-path)/panelproc

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r examples characters "$scratch"/
# A character whose name carries markup, and a chapter whose every field does.
python3 - "$scratch" <<'PY'
import json, sys
root = sys.argv[1]
path = f"{root}/characters/character_base_list.json"
db = json.load(open(path))
db["characters"].append({"id": "eve", "name": "Eve \"><svg onload=\"document.body.dataset.pwned='name'\">",
                         "aliases": ["Eve"], "appearance": "a woman in a red coat"})
json.dump(db, open(path, "w"), indent=2)
chapter = """---
title: <img src=x onerror="document.body.dataset.pwned='title'"> & <script>document.title='PWNED'</script>
---

## Page 1

### Panel 1: \\<script>window.__pwned='panel title'\\</script>

WIDE SHOT: Mira and Eve at the market.

**Mira:** <img src=x onerror="window.__pwned='dialogue'"> Hello & welcome!
**Eve:** '"><iframe src="http://example.com/"></iframe>

Caption: <a href="javascript:window.__pwned='caption'">click</a>
"""
open(f"{root}/examples/99-o'brien & <co>.md", "w").write(chapter)
PY

status=0
(cd "$scratch" && "$bin" -i --json examples/*.md >/dev/null) || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "check-gallery: panelproc failed with exit status $status" >&2
  exit "$status"
fi
gallery="$scratch/examples/generated"
pages=("$gallery/index.html" "$gallery"/*/index.html)
hostile=$(grep -l "o&#39;brien" "$gallery"/*/index.html | head -1)
rm -rf "$out"
python3 scripts/check_gallery.py --screenshots "$out" --dark \
  --expect-text "$hostile=<img src=x onerror=" --expect-text "$hostile=<script>window.__pwned='panel title'</script>" \
  --expect-text "$hostile=99-o'brien & <co>.md" "${pages[@]}"

# The check must be able to fail.
expect_failure() {
  local what=$1 copy=$2
  if python3 scripts/check_gallery.py --screenshots "$scratch/neg-shots" "$copy/index.html" >"$scratch/neg.log" 2>&1; then
    echo "check-gallery: the check passed a gallery with $what" >&2
    cat "$scratch/neg.log" >&2
    exit 1
  fi
  echo "check-gallery: a gallery with $what fails the check, as it must: $(grep '^     ' "$scratch/neg.log" | sed 's/^ *//' | paste -sd ';')"
}
chapter=$(dirname "${pages[1]}")
copy="$scratch/neg-image"; cp -r "$chapter" "$copy"
rm "$copy"/images/"$(ls "$copy"/images | head -1)"
expect_failure "a broken image" "$copy"
copy="$scratch/neg-script"; cp -r "$chapter" "$copy"
sed -i 's|<main>|<main><svg onload="document.body.dataset.pwned=1"></svg>|' "$copy/index.html"
expect_failure "an unescaped payload (blocked by the page's CSP)" "$copy"
sed -i '/Content-Security-Policy/d' "$copy/index.html"
expect_failure "an unescaped payload that runs (no CSP)" "$copy"
copy="$scratch/neg-network"; cp -r "$chapter" "$copy"
sed -i -e '/Content-Security-Policy/d' -e 's|<main>|<main><link rel="stylesheet" href="https://example.com/x.css">|' "$copy/index.html"
expect_failure "a request to the network" "$copy"
echo "check-gallery: passed; screenshots in $out"
