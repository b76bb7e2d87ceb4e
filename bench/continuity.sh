#!/usr/bin/env bash
# The continuity rules at chapter scale: a generated 1,000-panel chapter (bench/chapter_gen.py,
# with colours, times of day, exits and Meanwhile cuts mixed in so every rule has work) checked by
# `panelproc continuity`, against the offline run of the same chapter (every stage, no images).
# The rules' own time is `panelproc continuity` minus `panelproc inspect` of the same file (the
# same start-up and parse); printed as a share of the offline run (goal < 5%), with the whole
# `continuity` command's share as an upper bound.
# Run from the repo root: bench/continuity.sh   (env: RUNS=5 timed runs each, PANELS=1000)
RUNS=${RUNS:-5}
PANELS=${PANELS:-1000}
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/characters"
cp "$ROOT/characters/character_base_list.json" "$T/characters/"

python3 - "$T" "$BIN" "$RUNS" "$ROOT" "$PANELS" <<'PY'
import os, random, re, statistics, subprocess, sys, time

folder, binary, runs, panels = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[5])
sys.path.insert(0, os.path.join(sys.argv[4], 'bench'))
from chapter_gen import chapter

rng = random.Random(12)
extras = ["Mira, in her yellow raincoat, waves.", "Theo's red scarf flaps in the wind.", "Mira's blue raincoat drips.",
          "Theo leaves the stall.", "Theo returns with a crate.", "Grandma Ada, in her purple shawl, sits down."]
captions = ["That night.", "Later that morning.", "The next morning.", "Meanwhile, at the bank.", "At dawn.", "In the afternoon."]
settings = ["The market", "The bank", "Theo's stall"]

def enrich(match):
    text = match.group(0)
    if rng.random() < 0.5:
        text += f"\n**Setting:** {rng.choice(settings)}\n"
    if rng.random() < 0.6:
        text += f"\n{rng.choice(extras)}\n"
    if rng.random() < 0.3:
        text += f"\nCaption: {rng.choice(captions)}\n"
    return text

text = re.sub(r"^### Panel \d+\n", enrich, chapter(panels, seed=panels), flags=re.M)
path = os.path.join(folder, f"bench-{panels}.md")
open(path, "w").write(text)

def timed(args, fresh_trace=False):
    if fresh_trace:
        subprocess.run(["rm", "-rf", os.path.join(folder, ".panelproc"), os.path.join(folder, "generated")])
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"continuity bench: {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode()[-400:]}")
    return elapsed, proc.stderr.decode()

run = statistics.median(timed([binary, "--images", "none", "--no-gallery", path], fresh_trace=True)[0] for _ in range(runs))
inspect = statistics.median(timed([binary, "inspect", path])[0] for _ in range(runs))
checks = [timed([binary, "continuity", path]) for _ in range(runs)]
check = statistics.median(t for t, _ in checks)
summary = [line for line in checks[0][1].splitlines() if line.startswith("continuity:")]
rules = max(0.0, check - inspect)
print(f"continuity bench: {panels} panels; {summary[0] if summary else 'no summary'}")
print(f"  offline run (every stage, no images): {run:.3f} s   (median of {runs})")
print(f"  panelproc inspect (start-up + parse): {inspect:.3f} s")
print(f"  panelproc continuity:                 {check:.3f} s")
print(f"  rules alone (continuity - inspect):   {rules:.3f} s = {100 * rules / run:.2f}% of the offline run (goal < 5%)")
print(f"  whole continuity command:             {100 * check / run:.2f}% of the offline run")
PY
