#!/usr/bin/env bash
# The offline stage chain at chapter scale: generated 1k- and 10k-panel chapters run through every
# stage with the built-in engine (no images). Prints run time against a pass-through of the same
# bytes (goal <= 15x), the first run's scaling from 1k to 10k panels (goal <= 11x), peak RSS at 10k against
# 1k (goal <= 3x), a rerun's calls (goal 0) and time against `panelproc inspect` of the same file (goal <= 3x),
# and the trace's size after 10 reruns against after the first run (goal <= 1.2x).
# Run from the repo root: bench/offline.sh   (env: RUNS=3 timed runs per size)
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.sh"

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
    passthrough = statistics.median(run([binary, "--images", "none", plain], folder)[0] for _ in range(max(runs, 3)))
    full_times, summary = [], ""
    for _ in range(runs):
        trace = os.path.join(folder, ".panelproc")
        subprocess.run(["rm", "-rf", trace])
        elapsed, summary = run([binary, "--images", "none", path], folder)
        full_times.append(elapsed)
    made, cached = calls(summary)
    rss = peak_rss([binary, "--images", "none", "--no-cache", "--trace", os.path.join(folder, f"rss-{panels}.sqlite"), path], folder)
    trace_file = os.path.join(folder, ".panelproc", "trace.sqlite")
    def trace_size():
        return sum(os.path.getsize(p) for p in (trace_file, trace_file + "-wal") if os.path.exists(p))
    size_first = trace_size()
    rerun_times = []
    for _ in range(10):
        elapsed, rerun_summary = run([binary, "--images", "none", path], folder)
        rerun_times.append(elapsed)
    size_after = trace_size()
    rerun_made, rerun_cached = calls(rerun_summary)
    inspect = statistics.median(run([binary, "inspect", path], folder)[0] for _ in range(max(runs, 3)))
    full = statistics.median(full_times)
    rerun_time = statistics.median(rerun_times)
    results[panels] = dict(full=full, passthrough=passthrough, rss=rss, made=made, rerun=rerun_time, rerun_made=rerun_made,
                           rerun_cached=rerun_cached, size=len(text.encode()), inspect=inspect, growth=size_after / size_first)
    print(f"{panels:>6} panels ({len(text.encode()) / 1e6:.1f} MB): first offline run {full * 1000:8.0f} ms "
          f"({made} calls), pass-through {passthrough * 1000:6.0f} ms, ratio {full / passthrough:5.1f}x (goal <= 15x)")
    print(f"{'':>6}         rerun {rerun_time * 1000:8.0f} ms (median of 10), {rerun_made} calls made, {rerun_cached} cached (goal 0 made); "
          f"inspect {inspect * 1000:6.0f} ms, rerun/inspect {rerun_time / inspect:4.2f}x (goal <= 3)")
    print(f"{'':>6}         trace {size_first / 1e6:6.1f} MB after the first run, {size_after / 1e6:6.1f} MB after 10 reruns: "
          f"{size_after / size_first:4.2f}x (goal <= 1.2); peak RSS {rss / 1024:.0f} MiB")
ratio = results[10000]["rss"] / results[1000]["rss"]
scaling = results[10000]["full"] / results[1000]["full"]
big = results[10000]
print(f"first run 10k/1k: {scaling:.1f}x the time for 10x the panels (goal <= 11)")
print(f"peak RSS 10k/1k: {ratio:.2f}x (goal <= 3x)")
def verdict(ok): return "PASS" if ok else "MISS"
print(f"goals: first run/pass-through {verdict(big['full'] / big['passthrough'] <= 15)}, scaling {verdict(scaling <= 11)}, "
      f"memory {verdict(ratio <= 3)}, rerun calls {verdict(big['rerun_made'] == 0)}, "
      f"rerun/inspect {verdict(big['rerun'] / big['inspect'] <= 3)}, trace growth {verdict(big['growth'] <= 1.2)}")
PY
