#!/usr/bin/env bash
# Rate-limit benchmark (not a test): generated chapters through `panelproc --provider openai` against the loopback
# fault-injecting chat server (Tests/PanelKitTests/Fixtures/servers/fake_chat_api.py). Two goals, both printed:
#  1. a server-side RPM cap (200 panels, 200 ms latency, the cap also given as --rpm): wall time against the lower bound
#     max(calls x 60 / RPM, critical path 4 calls x latency), goal <= 1.05; then the speed-up of --concurrency 16 over
#     --concurrency 1 (goal >= 12x; SKIP_SERIAL=1 skips it, about 4 minutes).
#  2. random 429s and no limit anywhere (30 and 200 panels, 20 ms latency, --concurrency 8, no --rpm): 10% of the
#     requests are answered 429 with Retry-After: 1; wall time against the same run without faults, goal <= 1.5, every
#     panel done. Also printed: the floor, read from the faulty run's trace: the unluckiest panel's 429s along its
#     chain, each a second of Retry-After that no client may skip (429s of any stage not on that list are left out,
#     so it is a loose lower bound). In a 30-panel run (1.5 s clean) one panel usually meets 2 to 4 of them in a row:
#     a floor of 1.4 to 2.7 on its own; at 200 panels the clean run is long enough to absorb it.
# Run from anywhere: bench/ratelimit.sh
#   env: PANELS=200 RPM=3000 LATENCY_MS=200 CONCURRENCY=16 SKIP_SERIAL=0
#        FAULT_PANELS="30 200" FAULT_LATENCY_MS=20 FAULT_CONCURRENCY=8 FAULT_SHARE=0.1 FAULT_TIMEOUT=300 ONLY=rpm|faults
#        PANELPROC_BIN=path (use that binary instead of building one: before/after comparisons)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PANELS=${PANELS:-200}
RPM=${RPM:-3000}                # below concurrency x 60 / latency (4800 at 16 and 200 ms), so the cap binds
LATENCY_MS=${LATENCY_MS:-200}
CONCURRENCY=${CONCURRENCY:-16}
SKIP_SERIAL=${SKIP_SERIAL:-0}   # 1: skip the one-call-at-a-time run (about calls x latency, ~4 minutes)
FAULT_PANELS=${FAULT_PANELS:-30 200}  # chapter sizes, one clean and one faulty run each
FAULT_LATENCY_MS=${FAULT_LATENCY_MS:-20}
FAULT_CONCURRENCY=${FAULT_CONCURRENCY:-8}
FAULT_SHARE=${FAULT_SHARE:-0.1}
FAULT_TIMEOUT=${FAULT_TIMEOUT:-300}  # seconds; a run still going then is stopped and reported as a MISS
ONLY=${ONLY:-}                  # rpm or faults: run only that part
SERVER="$ROOT/Tests/PanelKitTests/Fixtures/servers/fake_chat_api.py"

if [ ! -f "$SERVER" ]; then
  echo "ratelimit: the fault-injecting chat server is not in this worktree yet (${SERVER#"$ROOT"/})" >&2
  exit 2
fi
. bench/lib.sh
# Read the help whole first: `grep -q` quits at its first match, and under pipefail the SIGPIPE that gives
# panelproc would count as a failure.
HELP=$("$BIN" --help 2>&1 || true)
if ! grep -Eq -- '(^|[[:space:],])--provider([[:space:],<=]|$)' <<<"$HELP"; then
  echo "ratelimit: the openai text provider is not in this build yet (panelproc --help has no --provider)" >&2
  exit 2
fi
mkdir -p "$T/characters"
cp "$ROOT/characters/character_base_list.json" "$T/characters/"

python3 - "$T" "$BIN" "$SERVER" "$PANELS" "$RPM" "$LATENCY_MS" "$CONCURRENCY" "$SKIP_SERIAL" \
  "$FAULT_PANELS" "$FAULT_LATENCY_MS" "$FAULT_CONCURRENCY" "$FAULT_SHARE" "$FAULT_TIMEOUT" "$ONLY" <<'PY'
import json, sqlite3, os, random, re, subprocess, sys, time, urllib.request

folder, binary, server = sys.argv[1], sys.argv[2], sys.argv[3]
panels, rpm, latency_ms, concurrency, skip_serial = (int(v) for v in sys.argv[4:9])
fault_sizes = [int(v) for v in sys.argv[9].split()]
fault_latency_ms, fault_concurrency = (int(v) for v in sys.argv[10:12])
fault_share, fault_timeout, only = float(sys.argv[12]), float(sys.argv[13]), sys.argv[14]
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

def write_chapter(name, count):
    where = os.path.join(folder, name)
    open(where, "w").write(chapter(count, seed=count))
    return where

def start_server(options):
    proc = subprocess.Popen([sys.executable, server, "--seed", "1", "--key", KEY] + options,
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

def run(path, parallel, label, server_options, client_rpm=None, timeout=None):
    """One panelproc run against a fresh server; wall None when it was stopped at `timeout` seconds."""
    proc, port = start_server(server_options)
    env = dict(os.environ, OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", OPENAI_API_KEY=KEY, NO_COLOR="1")
    trace = os.path.join(folder, f"trace-{label}.sqlite")
    args = [binary, "--provider", "openai", "--model", "fake-chat", "--images", "none", "--no-cache",
            "--concurrency", str(parallel), "--trace", trace, path]
    if client_rpm:
        args[1:1] = ["--rpm", str(client_rpm)]
    timed_out = False
    try:
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            _, stderr = child.communicate()
            timed_out = True
        wall = time.perf_counter() - start
        requests = server_count(port)
    finally:
        stop_server(proc)
    if not timed_out and child.returncode not in (0, 1):
        sys.exit(f"ratelimit: panelproc exited {child.returncode} ({label}): {stderr[-600:]}")
    summary = next((l for l in reversed(stderr.splitlines()) if "passed" in l), "")
    made = re.search(r"(\d+) calls? made", summary)
    calls = int(made.group(1)) if made else None
    passed = re.search(r"(\d+) passed, (\d+) failed", summary)
    return dict(wall=None if timed_out else wall, elapsed=wall, calls=calls, requests=requests,
                passed=passed.groups() if passed else ("?", "?"), summary=summary)

def rpm_goal():
    path = write_chapter("ratelimit.md", panels)
    server_options = ["--latency-ms", str(latency_ms), "--rpm", str(rpm)]
    print(f"ratelimit: {panels} panels, server latency {latency_ms} ms, RPM cap {rpm}, concurrency {concurrency}")
    fast = run(path, concurrency, "parallel", server_options, client_rpm=rpm)
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
    print(f"RPM cap: wall / lower bound: {ratio:.2f} (goal <= 1.05) {'PASS' if ratio <= 1.05 else 'MISS'}", flush=True)
    if skip_serial:
        print("speed-up over --concurrency 1: skipped (SKIP_SERIAL=1)")
        return
    print(f"one call at a time: about {requests * latency_ms / 1000:.0f} s ...", flush=True)
    slow = run(path, 1, "serial", server_options, client_rpm=rpm)
    speedup = slow["wall"] / fast["wall"]
    print(f"concurrency 1: {slow['wall']:.2f} s wall, {slow['calls']} calls made (server saw {slow['requests']})")
    print(f"speed-up at concurrency {concurrency}: {speedup:.1f}x (goal >= 12x) {'PASS' if speedup >= 12 else 'MISS'}", flush=True)

def fault_goal(fault_panels):
    path = write_chapter(f"faults-{fault_panels}.md", fault_panels)
    base = ["--latency-ms", str(fault_latency_ms)]
    print(f"ratelimit: {fault_panels} panels, server latency {fault_latency_ms} ms, no RPM limit anywhere, "
          f"concurrency {fault_concurrency}, {fault_share:.0%} of requests answered 429 with Retry-After: 1")
    clean = run(path, fault_concurrency, f"clean-{fault_panels}", base)
    print(f"without faults: {clean['wall']:.2f} s wall, {clean['calls']} calls made (server saw {clean['requests']}), "
          f"panels {clean['passed'][0]} passed / {clean['passed'][1]} failed (the fake answers the smallest valid JSON, "
          f"which the gate rejects: this bench times the calls)", flush=True)
    faulty = run(path, fault_concurrency, f"faults-{fault_panels}", base + ["--faults", f"429ra={fault_share}", "--retry-after", "1"],
                 timeout=fault_timeout)
    if faulty["wall"] is None:
        print(f"with 429s: stopped after {faulty['elapsed']:.0f} s (FAULT_TIMEOUT), server saw {faulty['requests']} requests")
        print(f"random 429s, {fault_panels} panels: wall / clean wall: > {faulty['elapsed'] / clean['wall']:.0f} (goal <= 1.5) MISS",
              flush=True)
        return
    # Every panel done: the same outcomes, and every call answered in the end (as many as without faults).
    same = faulty["passed"] == clean["passed"] and faulty["calls"] == clean["calls"]
    ratio = faulty["wall"] / clean["wall"]
    print(f"with 429s: {faulty['wall']:.2f} s wall, {faulty['calls']} calls made (server saw {faulty['requests']}), "
          f"panels {faulty['passed'][0]} passed / {faulty['passed'][1]} failed" + ("" if same else " (NOT the clean run's outcome)"))
    waits, unluckiest = path_waits(os.path.join(folder, f"trace-faults-{fault_panels}.sqlite"))
    floor = max(clean["wall"], waits + CALLS_PER_PANEL_ON_PATH * fault_latency_ms / 1000) / clean["wall"]
    print(f"random 429s, {fault_panels} panels: wall / clean wall: {ratio:.2f} (goal <= 1.5) {'PASS' if ratio <= 1.5 and same else 'MISS'}; "
          f"floor {floor:.2f}: panel {unluckiest} met {waits:.0f} 429s one after another on its chain, "
          f"{waits:.0f} s of Retry-After no client may skip (wall / floor {faulty['wall'] / clean['wall'] / floor:.2f})", flush=True)

def path_waits(trace):
    """The most Retry-After seconds any panel had to sit out in sequence: per panel, its 429s per stage
    summed along the chain (theme and roles side by side, then rewrite, then bubbles and image prompt
    side by side, then the checklist), each 429 here carrying Retry-After: 1."""
    database = sqlite3.connect(trace)
    counts = {}
    for panel, stage, n in database.execute("SELECT panel_id, stage, COUNT(*) FROM calls WHERE status = 'failed' "
                                            "AND error LIKE '%HTTP 429%' GROUP BY panel_id, stage"):
        counts.setdefault(panel, {})[stage] = n
    database.close()
    def along(stages):
        return (max(stages.get("theme", 0), stages.get("roles", 0)) + stages.get("rewrite", 0)
                + max(stages.get("bubbles", 0), stages.get("image_prompt", 0)) + stages.get("checklist", 0))
    if not counts:
        return 0, "none"
    panel = max(sorted(counts), key=lambda p: along(counts[p]))
    return along(counts[panel]), panel

if only in ("", "faults"):
    for size in fault_sizes:
        fault_goal(size)
if only in ("", "rpm"):
    rpm_goal()
PY
