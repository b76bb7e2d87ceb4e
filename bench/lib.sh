# Sourced by the benchmarks: strict mode, the repo root in $ROOT (and the working folder), a
# scratch folder $T removed on exit, and the release build of panelproc in $BIN.
# `PANELPROC_BIN=/path/to/panelproc` measures another build instead (before/after figures).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ -n "${PANELPROC_BIN:-}" ]; then
  BIN=$PANELPROC_BIN
else
  swift build -c release --product panelproc >"$T/build.log" 2>&1 || { grep -E "error:" "$T/build.log" >&2 || tail -n 30 "$T/build.log" >&2; exit 1; }
  BIN="$(swift build -c release --show-bin-path)/panelproc"
fi
