# Sourced by the benchmarks, from the repository root: a temporary folder `$T` removed on exit,
# and the release build of panelproc as `$BIN` (on failure its errors, or the log's end, and exit 1).
# `PANELPROC_BIN=/path/to/panelproc` uses another build instead (before/after figures).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ -n "${PANELPROC_BIN:-}" ]; then
  BIN=$PANELPROC_BIN
else
  swift build -c release --product panelproc >"$T/build.log" 2>&1 || { grep -E "error:" "$T/build.log" >&2 || tail -n 30 "$T/build.log" >&2; exit 1; }
  BIN="$(swift build -c release --show-bin-path)/panelproc"
fi
