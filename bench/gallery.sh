#!/usr/bin/env bash
# What the gallery costs: a generated 1,000-panel chapter (8 panels a page: 125 pages) through the
# whole offline run (stage chain and sketch images), with and without the gallery outputs
# (index.html, page PNGs, thumbnails.pdf; `--no-gallery`). Run from the repo root:
# bench/gallery.sh  (env: RUNS=9)
#
# The verdict is measured inside each fresh run: `-v` prints how long every output took, so the
# gallery's step (the pages output, then the gallery output) is divided by that same run's wall
# time, and the verdict is the median run's share. Also printed: what the gallery adds to the
# outputs phase (a short phase, so its difference between runs is steady), and, as a cross-check,
# the difference between whole runs with and without the gallery (a 10 s run on a shared virtual
# machine varies by a second from one run to the next, more than the step costs).
RUNS=${RUNS:-9}
source "$(dirname "$0")/lib.sh"

python3 - "$T" "$BIN" "$RUNS" "$ROOT" <<'PY'
import os, re, shutil, statistics, subprocess, sys, time

folder, binary, runs, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, os.path.join(root, "bench"))
from chapter_gen import chapter

text = chapter(1000, seed=1000)

def fresh(name):
    work = os.path.join(folder, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "characters"))
    shutil.copy(os.path.join(root, "characters", "character_base_list.json"), os.path.join(work, "characters"))
    open(os.path.join(work, "bench.md"), "w").write(text)
    return work

def timings(stderr):
    """`time: setup 0.02s, …, outputs 0.86s (manifest.json 0.01s, pages 0.79s, gallery 0.05s), trace 0.11s`:
    the phases, and the outputs (in the brackets), each by name."""
    line = next((l for l in stderr.splitlines() if l.startswith("time: ")), None)
    if line is None:
        sys.exit("gallery: panelproc -v printed no `time:` line (builds before 2256810 have none)")
    def parts(text):
        named = {}
        for piece in text.split(","):
            piece = piece.strip()
            if piece:
                name, seconds = piece.rsplit(" ", 1)
                named[name] = float(seconds.rstrip("s"))
        return named
    body = line[len("time: "):]
    inner = re.search(r"\((.*)\)", body)
    phases = parts(re.sub(r"\(.*\)", "", body))
    phases["outputs of"] = parts(inner.group(1)) if inner else {}
    return phases

def timed(args, cwd):
    """The run's wall time and its `-v` timings."""
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"gallery: {' '.join(args)} exited {proc.returncode}: {proc.stderr[-400:]}")
    return wall, timings(proc.stderr)

def step(parts):
    # An output that took under 5 ms is left off the line.
    return parts["outputs of"].get("pages", 0) + parts["outputs of"].get("gallery", 0)

cold = {"with": [], "without": []}
warm = {"with": [], "without": []}
for iteration in range(runs):
    # Each pair in turn starts with the other mode, so neither always runs after the other's writes.
    for mode in (("without", "with") if iteration % 2 == 0 else ("with", "without")):
        work = fresh(mode)
        flags = [] if mode == "with" else ["--no-gallery"]
        cold[mode].append(timed([binary, "-v", "--json"] + flags + ["bench.md"], work))
        warm[mode].append(timed([binary, "-v", "--json"] + flags + ["bench.md"], work))

# The step alone: reruns in the warm "with" folder with the gallery's files deleted first, so the
# index, the pages and the PDF are drawn and written again (and the sketches laid out again, which
# a fresh run's images did), and nothing else is.
def delete_gallery(generated):
    for name in os.listdir(generated):
        path = os.path.join(generated, name)
        if name == "index.html":
            os.remove(path)
        elif os.path.isdir(path):
            shutil.rmtree(os.path.join(path, "pages"), ignore_errors=True)
            for leaf in ("thumbnails.pdf", "index.html"):
                if os.path.exists(os.path.join(path, leaf)):
                    os.remove(os.path.join(path, leaf))

with_folder = os.path.join(folder, "with")
redrawn = []
for _ in range(max(5, runs)):
    delete_gallery(os.path.join(with_folder, "generated"))
    redrawn.append(timed([binary, "-v", "--json", "bench.md"], with_folder))

work = os.path.join(folder, "with", "generated")
chapter_folder = os.path.join(work, os.listdir(work)[0] if os.listdir(work)[0] != "index.html" else os.listdir(work)[1])
pages = len([n for n in os.listdir(os.path.join(chapter_folder, "pages")) if n.endswith(".png")])
pdf = os.path.getsize(os.path.join(chapter_folder, "thumbnails.pdf"))
median = statistics.median
inside = [step(parts) / wall for wall, parts in cold["with"]]
c_with, c_without = median(w for w, _ in cold["with"]), median(w for w, _ in cold["without"])
paired = median((w - wo) / wo for (w, _), (wo, _) in zip(cold["with"], cold["without"]))
print(f"1000 panels, {pages} pages, thumbnails.pdf {pdf / 1e6:.1f} MB, {runs} fresh runs with the gallery and {runs} without, in pairs")
print(f"fresh run, inside each run: the step {median(step(p) for _, p in cold['with']) * 1000:4.0f} ms "
      f"(pages {median(p['outputs of'].get('pages', 0) for _, p in cold['with']) * 1000:4.0f} ms, "
      f"index {median(p['outputs of'].get('gallery', 0) for _, p in cold['with']) * 1000:3.0f} ms) "
      f"of a {c_with:5.2f} s run (images {median(p['images'] for _, p in cold['with']):5.2f} s, text {median(p['text'] for _, p in cold['with']):4.2f} s)")
print(f"           share of its run: median {median(inside) * 100:4.1f}%, lowest {min(inside) * 100:4.1f}%, highest {max(inside) * 100:4.1f}% (goal < 10%)")
# What the gallery adds to the outputs phase (the JSON, the manifest and the rest run beside the
# pages, so the step's own time can overstate what it adds); a short phase, so far less noisy than
# a difference between whole runs.
o_with, o_without = median(p["outputs"] for _, p in cold["with"]), median(p["outputs"] for _, p in cold["without"])
print(f"outputs phase: {o_with * 1000:4.0f} ms with the gallery, {o_without * 1000:4.0f} ms without: the step adds "
      f"{(o_with - o_without) * 1000:4.0f} ms to it, {(o_with - o_without) / c_without * 100:4.1f}% of a run without gallery")
print(f"between runs (cross-check, noisy): medians without gallery {c_without:5.2f} s, with {c_with:5.2f} s "
      f"({(c_with - c_without) / c_without * 100:4.1f}% more); the median pair's difference {paired * 100:4.1f}%")
alone = median(step(p) for _, p in redrawn)
print(f"step alone: a rerun with the gallery's files deleted ({len(redrawn)} runs) spends {alone * 1000:4.0f} ms on it "
      f"= {alone / c_without * 100:4.1f}% of a fresh run without gallery")
w_with = median(w for w, _ in warm["with"])
print(f"rerun:      {w_with:5.2f} s with the gallery, of which the step {median(step(p) for _, p in warm['with']) * 1000:4.0f} ms "
      f"(unchanged pages are not drawn again)")
print(f"goal: {'PASS' if median(inside) < 0.10 else 'MISS'} (the median fresh run's step under 10% of that run; "
      f"{sum(share < 0.10 for share in inside)} of {len(inside)} runs under)")
PY
