#!/usr/bin/env bash
# What the gallery costs: a generated 1,000-panel chapter (8 panels a page: 125 pages) through the
# whole offline run (stage chain and sketch images), with and without the gallery outputs
# (index.html, page PNGs, thumbnails.pdf; `--no-gallery`). Prints the medians of fresh runs, the
# gallery's share of the run (goal < 10%), and the same on a rerun (everything cached, so the
# difference is the gallery step alone). Run from the repo root: bench/gallery.sh  (env: RUNS=9)
#
# On a shared virtual machine a 10 s run varies by a second from one run to the next, more than
# the step costs, so the fresh-run verdict is the median of each back-to-back pair's share, and
# the step is also timed alone (the gallery's files deleted before a rerun), where it is most of
# the run instead of a tenth.
RUNS=${RUNS:-9}
source "$(dirname "$0")/lib.sh"

python3 - "$T" "$BIN" "$RUNS" "$ROOT" <<'PY'
import os, shutil, statistics, subprocess, sys, time

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

def timed(args, cwd):
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        sys.exit(f"gallery: {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode()[-400:]}")
    return time.perf_counter() - start

cold = {"with": [], "without": []}
warm = {"with": [], "without": []}
for iteration in range(runs):
    # Each pair in turn starts with the other mode, so neither always runs after the other's writes.
    for mode in (("without", "with") if iteration % 2 == 0 else ("with", "without")):
        work = fresh(mode)
        flags = [] if mode == "with" else ["--no-gallery"]
        cold[mode].append(timed([binary, "--json"] + flags + ["bench.md"], work))
        warm[mode].append(timed([binary, "--json"] + flags + ["bench.md"], work))
# The step alone, without the noise of a 10 s run on both sides of a difference: reruns in the
# warm "with" folder, each plain one paired with one whose gallery files were deleted first (so the
# index, the pages and the PDF are drawn and written again, and nothing else is).
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

alone = {"plain": [], "redrawn": []}
with_folder = os.path.join(folder, "with")
for _ in range(max(7, runs * 2)):
    alone["plain"].append(timed([binary, "--json", "bench.md"], with_folder))
    delete_gallery(os.path.join(with_folder, "generated"))
    alone["redrawn"].append(timed([binary, "--json", "bench.md"], with_folder))

work = os.path.join(folder, "with", "generated")
chapter_folder = os.path.join(work, os.listdir(work)[0] if os.listdir(work)[0] != "index.html" else os.listdir(work)[1])
pages = len([n for n in os.listdir(os.path.join(chapter_folder, "pages")) if n.endswith(".png")])
pdf = os.path.getsize(os.path.join(chapter_folder, "thumbnails.pdf"))
c_with, c_without = statistics.median(cold["with"]), statistics.median(cold["without"])
w_with, w_without = statistics.median(warm["with"]), statistics.median(warm["without"])
share = (c_with - c_without) / c_without
# The same from each pair of runs made back to back, which a machine that speeds up or slows
# down over the minutes of the bench disturbs less than a difference of medians.
paired = statistics.median((w - wo) / wo for w, wo in zip(cold["with"], cold["without"]))
print(f"1000 panels, {pages} pages, thumbnails.pdf {pdf / 1e6:.1f} MB, {runs} fresh runs of each, back to back in pairs")
print(f"fresh run:  median of the pairs' shares {paired * 100:5.1f}% of the offline run (goal < 10%)")
print(f"            medians: without gallery {c_without * 1000:7.0f} ms, with {c_with * 1000:7.0f} ms, "
      f"difference {(c_with - c_without) * 1000:6.0f} ms = {share * 100:5.1f}% (noisy: runs here vary by about a second)")
step = statistics.median(alone["redrawn"]) - statistics.median(alone["plain"])
print(f"step alone: rerun with the gallery's files deleted, minus a plain rerun ({len(alone['plain'])} pairs): "
      f"{step * 1000:6.0f} ms = {step / c_without * 100:5.1f}% of the run without gallery (goal < 10%)")
print(f"rerun:      without gallery {w_without * 1000:7.0f} ms, with {w_with * 1000:7.0f} ms: gallery step "
      f"{(w_with - w_without) * 1000:6.0f} ms (unchanged pages are not drawn again)")
print(f"goal: {'PASS' if paired < 0.10 else 'MISS'} (fresh runs), {'PASS' if step / c_without < 0.10 else 'MISS'} (step alone)")
PY
