#!/usr/bin/env bash
# Rate-limit benchmark (not a test): a generated 200-panel chapter through `panelproc --provider openai` against the loopback
# fault-injecting chat server (200 ms latency, an RPM cap). Prints wall time against the lower bound max(calls x 60 / RPM,
# critical path 4 calls x latency) (goal <= 1.10) and the speed-up of --concurrency 16 over --concurrency 1 (goal >= 12x).
# Run from anywhere: bench/ratelimit.sh   (env: PANELS=200 RPM=4200 LATENCY_MS=200 CONCURRENCY=16 SKIP_SERIAL=0)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PANELS=${PANELS:-200}
RPM=${RPM:-4200}                # below concurrency x 60 / latency (4800 at 16 and 200 ms), so the cap binds
LATENCY_MS=${LATENCY_MS:-200}
CONCURRENCY=${CONCURRENCY:-16}
SKIP_SERIAL=${SKIP_SERIAL:-0}   # 1: skip the one-call-at-a-time run (about calls x latency, ~3 minutes)
SERVER="$ROOT/Tests/PanelKitTests/Fixtures/servers/fake_chat_api.py"

if [ ! -f "$SERVER" ]; then
  echo "ratelimit: the fault-injecting chat server is not in this worktree yet (${SERVER#"$ROOT"/})" >&2
  exit 2
fi
. bench/release.sh
if ! "$BIN" --help 2>&1 | grep -Eq -- '(^|[[:space:],])--provider([[:space:],<=]|$)'; then
  echo "ratelimit: the openai text provider is not in this build yet (panelproc --help has no --provider)" >&2
  exit 2
fi
mkdir -p "$T/characters"
cp "$ROOT/characters/character_base_list.json" "$T/characters/"

python3 - "$T" "$BIN" "$SERVER" "$PANELS" "$RPM" "$LATENCY_MS" "$CONCURRENCY" "$SKIP_SERIAL" <<'PY'
import json, os, random, re, subprocess, sys, time, urllib.request

folder, binary, server = sys.argv[1], sys.argv[2], sys.argv[3]
panels, rpm, latency_ms, concurrency, skip_serial = (int(v) for v in sys.argv[4:9])
KEY = "sk-bench-ratelimit-local"
CALLS_PER_PANEL_ON_PATH = 4   # theme/roles -> rewrite -> image prompt/bubbles -> checklist

def chapter(count, seed):
    """Every panel names only database characters, so every panel runs all of its stages."""
    rng = random.Random(seed)
    cast = ["Mira", "Theo", "Grandma Ada", "Officer Bly"]
    shots = ["WIDE SHOT", "CLOSE-UP", "MEDIUM SHOT", None]
    places = ["the market", "the bank counter", "the town square", "Theo's stall", "the ledger table"]
    actions = ["counts coins", "writes a line in the ledger", "holds a note up to the light", "hands over a banknote"]
    out = ["---\nchapter: 9\ntitle: Rate Limits\ntone: warm, curious\nstyle: clean flat-color webcomic\n"
           "common_example: paying for apples with a banknote\n---\n\n# Chapter 9: Rate Limits\n"]
    for index in range(count):
        page, number = index // 8 + 1, index % 8 + 1
        if number == 1:
            out.append(f"\n## Page {page}\n")
        who = rng.sample(cast, rng.randint(1, 2))
        shot = rng.choice(shots)
        scene = f"{who[0]} {rng.choice(actions)} at {rng.choice(places)} (moment {index})."
        body = [f"### Panel {number}", "", (f"{shot}: " if shot else "") + scene, "",
                f"**Characters:** {', '.join(who)}", "", f"**{who[0]}:** Line {index}, about {rng.choice(places)}."]
        out.append("\n" + "\n".join(body) + "\n")
    return "".join(out)

path = os.path.join(folder, "ratelimit.md")
open(path, "w").write(chapter(panels, seed=panels))

def start_server():
    proc = subprocess.Popen([sys.executable, server, "--latency-ms", str(latency_ms), "--rpm", str(rpm),
                             "--seed", "1", "--key", KEY],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.path.join(folder, "server.log"), "a"),
                            text=True)
    first = proc.stdout.readline()
    match = re.search(r"\d+", first)
    if not match:
        proc.kill()
        sys.exit(f"ratelimit: the server printed no port on its first line: {first!r}")
    return proc, int(match.group(0))

def stop_server(proc):
    proc.stdin.close()          # the server exits when its stdin closes
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill(); proc.wait()

def server_count(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/count", timeout=5) as reply:
            data = json.loads(reply.read())
    except Exception:
        return None
    if isinstance(data, int):
        return data
    for key in ("total", "count", "requests"):
        if isinstance(data.get(key), int):
            return data[key]
    return None

def run(parallel, label):
    proc, port = start_server()
    env = dict(os.environ, OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", OPENAI_API_KEY=KEY, NO_COLOR="1")
    trace = os.path.join(folder, f"trace-{label}.sqlite")
    args = [binary, "--provider", "openai", "--model", "fake-chat", "--images", "none", "--no-cache",
            "--concurrency", str(parallel), "--rpm", str(rpm), "--trace", trace, path]
    try:
        start = time.perf_counter()
        done = subprocess.run(args, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        requests = server_count(port)
    finally:
        stop_server(proc)
    if done.returncode not in (0, 1):
        sys.exit(f"ratelimit: panelproc exited {done.returncode} at concurrency {parallel}: {done.stderr[-600:]}")
    summary = next((l for l in reversed(done.stderr.splitlines()) if "passed" in l), "")
    made = re.search(r"(\d+) calls? made", summary)
    calls = int(made.group(1)) if made else None
    passed = re.search(r"(\d+) passed, (\d+) failed", summary)
    return dict(wall=wall, calls=calls, requests=requests, passed=passed.groups() if passed else ("?", "?"), summary=summary)

print(f"ratelimit: {panels} panels, server latency {latency_ms} ms, RPM cap {rpm}, concurrency {concurrency}")
fast = run(concurrency, "parallel")
requests = fast["requests"] if fast["requests"] is not None else fast["calls"]
if requests is None:
    sys.exit("ratelimit: neither the server's /count nor the summary line gave a call count: " + fast["summary"])
rpm_bound = requests * 60 / rpm
path_bound = CALLS_PER_PANEL_ON_PATH * latency_ms / 1000
bound = max(rpm_bound, path_bound)
ratio = fast["wall"] / bound
print(f"concurrency {concurrency}: {fast['wall']:.2f} s wall, {fast['calls']} calls made (server saw {fast['requests']}), "
      f"panels {fast['passed'][0]} passed / {fast['passed'][1]} failed")
print(f"lower bound {bound:.2f} s = max({requests} x 60 / {rpm} = {rpm_bound:.2f} s, "
      f"{CALLS_PER_PANEL_ON_PATH} x {latency_ms} ms = {path_bound:.2f} s)")
print(f"wall / lower bound: {ratio:.2f} (goal <= 1.10) {'PASS' if ratio <= 1.10 else 'MISS'}")
if skip_serial:
    print("speed-up over --concurrency 1: skipped (SKIP_SERIAL=1)")
    sys.exit(0)
print(f"one call at a time: about {requests * latency_ms / 1000:.0f} s ...", flush=True)
slow = run(1, "serial")
speedup = slow["wall"] / fast["wall"]
print(f"concurrency 1: {slow['wall']:.2f} s wall, {slow['calls']} calls made (server saw {slow['requests']})")
print(f"speed-up at concurrency {concurrency}: {speedup:.1f}x (goal >= 12x) {'PASS' if speedup >= 12 else 'MISS'}")
PY
