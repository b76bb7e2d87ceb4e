#!/usr/bin/env bash
# Drafts a chapter against a running OpenAI-compatible server (e.g. llama.cpp's llama-server) in a scratch folder (not part of `swift test`).
# Usage: bench/draft-llm.sh BASE_URL [PAGES]   e.g. bench/draft-llm.sh http://127.0.0.1:8080/v1 2
#   (env: MODEL=local, CALL_TIMEOUT=600, PREMISE="…", PANELPROC_BIN=<a built panelproc>, OPENAI_API_KEY for a remote server)
set -euo pipefail
case "${1:-}" in
  ""|-h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
BASE_URL=$1
PAGES=${2:-2}
MODEL=${MODEL:-local}
PREMISE=${PREMISE:-"Mira must keep the old lighthouse lit while Captain Vell plots to sell the harbor before the winter storm."}
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${PANELPROC_BIN:-}" ]; then
  swift build -c release --product panelproc >&2
  PANELPROC_BIN="$ROOT/.build/release/panelproc"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/characters"
cp characters/character_base_list.json "$T/characters/"
cd "$T"
# A small model on two cores needs more than the default 120 s a call.
printf 'call_timeout: %s\n' "${CALL_TIMEOUT:-600}" > panelproc.yml
START=$(date +%s.%N)
set +e
OPENAI_API_KEY=${OPENAI_API_KEY:-} "$PANELPROC_BIN" draft "$PREMISE" --title "The Lighthouse" --pages "$PAGES" --tone hopeful \
  --teaching-point "a promise is only as good as the people who keep it" \
  --provider openai --model "$MODEL" --base-url "$BASE_URL" -o ch.md
STATUS=$?
set -e
echo "draft-llm: panelproc draft exit $STATUS in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$START" "$(date +%s.%N)") s" >&2
echo "--- per call (stage, status, attempts, latency ms, tokens out) ---" >&2
sqlite3 .panelproc/trace.sqlite "select stage, status, attempt, round(latency_ms), tokens_out from calls order by id" >&2 || true
[ -f ch.md ] || exit "$STATUS"
echo "--- ch.md ---" >&2
cat ch.md >&2
echo "--- proposed.json ---" >&2
cat characters/proposed.json >&2 2>/dev/null || true
echo "--- panelproc --images none ch.md ---" >&2
set +e
"$PANELPROC_BIN" --images none ch.md >/dev/null
echo "draft-llm: panelproc exit $?" >&2
"$PANELPROC_BIN" pacing ch.md >&2
