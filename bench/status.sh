#!/usr/bin/env bash
# `panelproc status` at series scale: 100 generated chapters of 60 panels (6,000 panels, 10 pages
# each, due dates and targets), release build. Prints the median wall time of `status` with no
# trace yet, and again after a `panelproc -i --images none` run over every chapter (panel states,
# costs and snapshots in the trace), plus one chapter edited (its stale panel found).
# Goal: under 1 s for 6,000 panels. Run from the repo root: bench/status.sh   (env: RUNS=5)
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
mkdir -p "$T/book/characters" && cp characters/character_base_list.json "$T/book/characters/"

python3 - "$T/book" "$BIN" "${RUNS:-5}" <<'PY'
import json, os, random, statistics, subprocess, sys, time

book, binary, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
cast = ["Mira", "Theo", "Grandma Ada", "Officer Bly"]
places = ["the market", "the bank counter", "the town square", "Theo's stall", "the ledger table"]

def chapter(number, rng):
    out = [f"---\nchapter: {number}\ntitle: Bench {number}\ndue: 2027-0{1 + number % 9}-15\ntarget_pages: 12\n---\n\n"
           f"# Chapter {number}: Bench {number}\n"]
    for index in range(60):
        page, panel = index // 6 + 1, index % 6 + 1
        if panel == 1:
            out.append(f"\n## Page {page}\n")
        who = rng.sample(cast, rng.randint(1, 2))
        body = [f"### Panel {panel}", "", f"{who[0]} waits at {rng.choice(places)} (moment {index}).", ""]
        for speaker in who[:rng.randint(0, len(who))]:
            body.append(f"**{speaker}:** Line {index} from {speaker}, about {rng.choice(places)}!")
        if rng.random() < 0.3:
            body += ["", f"Caption: Later, moment {index}."]
        out.append("\n" + "\n".join(body) + "\n")
    return "".join(out)

rng = random.Random(11)
os.makedirs(os.path.join(book, "chapters"), exist_ok=True)
files = []
for number in range(1, 101):
    path = os.path.join(book, "chapters", f"ch{number:03d}.md")
    with open(path, "w") as handle:
        handle.write(chapter(number, rng))
    files.append(path)

def status(label):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([binary, "status", "--json", "--today", "2027-01-10", book], capture_output=True)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"status failed: {result.stderr.decode()}")
    data = json.loads(result.stdout)
    totals = data["totals"]
    print(f"{label}: median {statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}) over {runs} runs; "
          f"{totals['chapters']} chapters, {totals['panels']} panels, {totals['pages']} pages, "
          f"stale {totals['stale']}, never run {totals['never_run']}, at risk {totals['at_risk']}")

status("status, no trace yet")
start = time.perf_counter()
run = subprocess.run([binary, "-i", "--images", "none"] + files, capture_output=True, cwd=book)
print(f"panelproc -i --images none over all 100 chapters: {time.perf_counter() - start:.1f} s (exit {run.returncode})")
with open(files[41]) as handle:
    text = handle.read()
with open(files[41], "w") as handle:
    handle.write(text.replace("(moment 7).", "(moment 7, edited).", 1))
status("status, after the run, one panel edited")
PY
