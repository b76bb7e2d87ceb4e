#!/usr/bin/env bash
# Fused calls against stage calls: calls, tokens and wall time per panel on examples/ in three
# modes (call_mode stages; fused with the checklist inside the fused call; fused with the
# checklist as a second call), with the built-in offline engine and against the loopback chat
# fake (Tests/PanelKitTests/Fixtures/servers/fake_chat_api.py, --latency-ms, default 40).
# Tokens: against the fake, its own prompt and completion counts (the words of the messages and
# of the answer); offline, the characters of the system and user messages and the answer (from
# the trace) / 4. "+schema" adds the response_format schema each call sends (characters / 4), which
# a paid API also counts. The goal is checked on "tokens". Prints the ratios to stage mode;
# goals: calls <= 0.35x, tokens <= 0.6x. Run from the repo root: bench/fused.sh
# (env: PANELPROC_BIN=.build/debug/panelproc to skip the release build, LATENCY_MS=40, RUNS=3)
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
SERVERS="$ROOT/Tests/PanelKitTests/Fixtures/servers"

python3 - "$ROOT" "$T" "$BIN" "$SERVERS" "${LATENCY_MS:-40}" "${RUNS:-3}" <<'PY'
import glob, json, os, shutil, sqlite3, statistics, subprocess, sys, time

root, scratch, binary, servers, latency, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
modes = [("stages", "call_mode: stages\n"),
         ("fused", "call_mode: fused\nfused_checklist: inside\n"),
         ("fused+checklist call", "call_mode: fused\nfused_checklist: separate\n")]

def measure(provider, extra):
    """(calls, tokens, tokens with the schemas, seconds, panels) of one fresh run over examples/."""
    folder = os.path.join(scratch, "work")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for path in glob.glob(os.path.join(root, "examples", "*.md")):
        shutil.copy(path, folder)
    shutil.copytree(os.path.join(root, "characters"), os.path.join(folder, "characters"))
    with open(os.path.join(folder, "panelproc.yml"), "w") as config:
        config.write(provider + extra + "image_provider: none\n")
    files = sorted(glob.glob(os.path.join(folder, "*.md")))
    started = time.monotonic()
    run = subprocess.run([binary, "-i", "--no-gallery"] + files, cwd=folder, capture_output=True, text=True,
                         env={**os.environ, "OPENAI_API_KEY": ""})
    seconds = time.monotonic() - started
    if run.returncode not in (0, 1):
        sys.exit(f"panelproc failed ({run.returncode}):\n{run.stderr}")
    db = sqlite3.connect(os.path.join(folder, ".panelproc", "trace.sqlite"))
    rows = db.execute("SELECT request, response, tokens_in, tokens_out FROM calls WHERE status = 'succeeded' AND stage != 'image'").fetchall()
    panels = db.execute("SELECT COUNT(*) FROM panel_states").fetchone()[0]
    tokens = schema_tokens = 0
    for request, response, tokens_in, tokens_out in rows:
        sent = json.loads(request)
        schema_tokens += len(json.dumps(sent["schema"], separators=(",", ":"))) / 4
        if tokens_in is not None:
            tokens += tokens_in + (tokens_out or 0)
        else:
            # What a model reads and writes: the system and user messages and the answer.
            tokens += len(sent["system"] + sent["user"] + (response or "")) / 4
    return len(rows), tokens, tokens + schema_tokens, seconds, panels

def table(title, provider):
    results = {}
    for name, extra in modes:
        samples = [measure(provider, extra) for _ in range(runs)]
        calls, tokens, with_schema, _, panels = samples[0]
        seconds = statistics.median(sample[3] for sample in samples)
        results[name] = (calls / panels, tokens / panels, with_schema / panels, seconds * 1000 / panels, panels)
    print(f"\n{title} ({results['stages'][4]} panels; wall time: median of {runs} runs)")
    print(f"{'mode':22} {'calls/panel':>11} {'tokens/panel':>12} {'+schema':>8} {'ms/panel':>9}   calls x  tokens x  +schema x  time x")
    base = results["stages"]
    for name, (calls, tokens, with_schema, ms, _) in results.items():
        print(f"{name:22} {calls:11.2f} {tokens:12.0f} {with_schema:8.0f} {ms:9.1f}   {calls / base[0]:7.3f}  {tokens / base[1]:8.3f}"
              f"  {with_schema / base[2]:9.3f}  {ms / base[3]:6.2f}")
    fused = results["fused"]
    ok = fused[0] / base[0] <= 0.35 and fused[1] / base[1] <= 0.6
    print(f"goal (fused: calls <= 0.35x, tokens <= 0.6x): {'met' if ok else 'NOT met'}")
    return ok

met = table("offline engine", "provider: offline\n")
server = subprocess.Popen(["python3", os.path.join(servers, "fake_chat_api.py"), "--latency-ms", latency],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
try:
    port = int(server.stdout.readline())
    met = table(f"loopback chat fake ({latency} ms a call)",
                f"provider: openai\nmodel: gpt-4o-mini\nopenai_base_url: http://127.0.0.1:{port}/v1\n") and met
finally:
    server.stdin.close()
    server.wait()
sys.exit(0 if met else 1)
PY
