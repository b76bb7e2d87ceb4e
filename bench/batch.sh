#!/usr/bin/env bash
# `panelproc batch` end to end against the loopback Files and Batch API fake
# (Tests/PanelKitTests/Fixtures/servers/fake_batch_api.py): examples/ in fused mode (the first
# batch expires after 5 answers, the rest go again) and in stage mode (one stage level a round),
# submit, status until finished, collect, then a normal run that must make 0 calls. Prints the
# rounds, requests, answers, expired requests, the batch price paid and what the same tokens cost
# at the normal price. Run from the repo root: bench/batch.sh
# (env: PANELPROC_BIN=.build/debug/panelproc to skip the release build)
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
SERVERS="$ROOT/Tests/PanelKitTests/Fixtures/servers"

python3 - "$ROOT" "$T" "$BIN" "$SERVERS" <<'PY'
import glob, os, re, shutil, sqlite3, subprocess, sys, time

root, scratch, binary, servers = sys.argv[1:5]
KEY = "sk-bench-batch-key"
PRICE_IN, PRICE_OUT = 0.15, 0.6

def run(folder, *args, check=True):
    result = subprocess.run([binary, *args], cwd=folder, capture_output=True, text=True, env={**os.environ, "OPENAI_API_KEY": KEY})
    if check and result.returncode not in (0, 1):
        sys.exit(f"panelproc {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result

def book(name, port, mode):
    folder = os.path.join(scratch, name)
    os.makedirs(folder)
    for path in glob.glob(os.path.join(root, "examples", "*.md")):
        shutil.copy(path, folder)
    shutil.copytree(os.path.join(root, "characters"), os.path.join(folder, "characters"))
    with open(os.path.join(folder, "panelproc.yml"), "w") as config:
        config.write(f"provider: openai\nmodel: gpt-4o-mini\nopenai_base_url: http://127.0.0.1:{port}/v1\ncall_mode: {mode}\n"
                     f"image_provider: none\nprices:\n  gpt-4o-mini: {{input_per_1k: {PRICE_IN}, output_per_1k: {PRICE_OUT}}}\n")
    return folder, sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, "*.md")))

def scenario(mode, expire):
    args = ["--key", KEY] + (["--expire-after", str(expire)] if expire else [])
    server = subprocess.Popen(["python3", os.path.join(servers, "fake_batch_api.py"), *args], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        folder, files = book(mode, port, mode)
        started = time.monotonic()
        rounds = requests = answered = expired = 0
        states = []
        while True:
            submitted = run(folder, "batch", "submit", *files)
            count = int(re.search(r"(\d+) new request", submitted.stderr).group(1))
            if count == 0:
                if int(re.search(r"(\d+) already in a pending batch", submitted.stderr).group(1)) > 0:
                    sys.exit("requests still pending after collect")
                break
            rounds += 1
            requests += count
            for _ in range(10):
                status = run(folder, "batch", "status").stdout
                if not re.search(r"validating|in_progress|finalizing", status):
                    break
            states += re.findall(r"^batch_\S+\s+(\S+)", status, re.MULTILINE)
            collected = run(folder, "batch", "collect").stdout
            answered += int(re.search(r"(\d+) answers? stored", collected).group(1))
            expired += int(re.search(r"(\d+) expired", collected).group(1))
            if rounds > 10:
                sys.exit("more than 10 rounds")
        again = run(folder, "batch", "collect").stdout
        final = run(folder, "-i", "--no-gallery", *files, check=True)
        made, cached = re.search(r"(\d+) calls? made, (\d+) cached", final.stderr).groups()
        failed_calls = sqlite3.connect(os.path.join(folder, ".panelproc", "trace.sqlite")).execute(
            "SELECT COUNT(*) FROM calls WHERE run_id = (SELECT MAX(id) FROM runs)").fetchone()[0]
        seconds = time.monotonic() - started
        db = sqlite3.connect(os.path.join(folder, ".panelproc", "trace.sqlite"))
        paid, tokens_in, tokens_out = db.execute(
            "SELECT SUM(cost_usd), SUM(tokens_in), SUM(tokens_out) FROM calls WHERE status = 'succeeded' AND error LIKE 'answered through batch%'").fetchone()
        full = tokens_in / 1000 * PRICE_IN + tokens_out / 1000 * PRICE_OUT
        leaked = any(KEY.encode() in open(p, "rb").read() for p in glob.glob(os.path.join(folder, ".panelproc", "*")))
        print(f"{mode:7} rounds {rounds}  requests {requests}  answered {answered}  expired {expired}  batch states {','.join(states)}")
        print(f"        repeat collect: {again.splitlines()[-1][:60]}…")
        print(f"        then `panelproc -i`: {made} calls made, {cached} answers from the cache, {failed_calls} call rows;  paid ${paid:.4f} at the batch price, ${full:.4f} at the normal price "
              f"({paid / full:.2f}x);  {seconds:.1f} s;  key in the trace: {'YES' if leaked else 'no'}")
        return made == "0" and failed_calls == 0 and int(cached) > 0 and not leaked
    finally:
        server.stdin.close()
        server.wait()

ok = scenario("fused", 5)
ok = scenario("stages", 0) and ok
print("batch end to end:", "ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
