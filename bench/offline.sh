#!/usr/bin/env bash
# The offline stage chain at chapter scale: generated 1k- and 10k-panel chapters run through every
# stage with the built-in engine (no images). Prints run time against a pass-through of the same
# bytes (goal <= 15x), peak RSS at 10k against 1k (goal <= 3x), and a rerun's time and calls (goal 0).
# Run from the repo root: bench/offline.sh   (env: RUNS=3 timed runs per size)
RUNS=${RUNS:-3}
source "$(dirname "$0")/lib.sh"

mkdir -p "$T/characters"
cp "$ROOT/characters/character_base_list.json" "$T/characters/"

python3 - "$T" "$BIN" "$RUNS" "$ROOT" <<'PY'
import os, random, re, resource, statistics, subprocess, sys, time

folder, binary, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(sys.argv[4], 'bench'))
from chapter_gen import chapter

def run(args, cwd):
    """Wall time, peak RSS (KiB) of the child, stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate()
    _, status, usage = os.wait4(proc.pid, 0) if False else (None, proc.returncode, None)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"offline: {' '.join(args)} exited {proc.returncode}: {err.decode()[-400:]}")
    return elapsed, err.decode()

def peak_rss(args, cwd):
    out = subprocess.run(["python3", "-c", "import resource,subprocess,sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                          "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"] + args, cwd=cwd, capture_output=True, text=True)
    return int(out.stdout.strip())

def calls(summary):
    match = re.search(r"(\d+) calls? made, (\d+) cached", summary)
    return (int(match.group(1)), int(match.group(2))) if match else (-1, -1)

results = {}
for panels in (1000, 10000):
    text = chapter(panels, seed=panels)
    path = os.path.join(folder, f"bench-{panels}.md")
    plain = os.path.join(folder, f"plain-{panels}.md")
    open(path, "w").write(text)
    # The same bytes with every marker defused: pass-through of an equal document.
    open(plain, "w").write(re.sub(r"^### Panel ", "### Scene ", re.sub(r"^## Page ", "## Part ", text, flags=re.M), flags=re.M))
    passthrough = statistics.median(run([binary, "--images", "none", "--no-gallery", plain], folder)[0] for _ in range(max(runs, 3)))
    full_times, summary = [], ""
    for _ in range(runs):
        trace = os.path.join(folder, ".panelproc")
        subprocess.run(["rm", "-rf", trace])
        elapsed, summary = run([binary, "--images", "none", "--no-gallery", path], folder)
        full_times.append(elapsed)
    made, cached = calls(summary)
    rss = peak_rss([binary, "--images", "none", "--no-gallery", "--no-cache", "--trace", os.path.join(folder, f"rss-{panels}.sqlite"), path], folder)
    rerun_time, rerun_summary = run([binary, "--images", "none", "--no-gallery", path], folder)
    rerun_made, rerun_cached = calls(rerun_summary)
    full = statistics.median(full_times)
    results[panels] = dict(full=full, passthrough=passthrough, rss=rss, made=made, rerun=rerun_time, rerun_made=rerun_made,
                           rerun_cached=rerun_cached, size=len(text.encode()))
    print(f"{panels:>6} panels ({len(text.encode()) / 1e6:.1f} MB): full offline run {full * 1000:8.0f} ms "
          f"({made} calls), pass-through {passthrough * 1000:6.0f} ms, ratio {full / passthrough:5.1f}x (goal <= 15x)")
    print(f"{'':>6}         rerun {rerun_time * 1000:8.0f} ms, {rerun_made} calls made, {rerun_cached} cached (goal 0 made); "
          f"peak RSS {rss / 1024:.0f} MiB")
ratio = results[10000]["rss"] / results[1000]["rss"]
print(f"peak RSS 10k/1k: {ratio:.2f}x (goal <= 3x)")
print(f"goals: time {'PASS' if results[10000]['full'] / results[10000]['passthrough'] <= 15 else 'MISS'}, "
      f"memory {'PASS' if ratio <= 3 else 'MISS'}, rerun {'PASS' if results[10000]['rerun_made'] == 0 else 'MISS'}")
PY
