#!/usr/bin/env python3
"""The real-model report of bench/real-llm.sh: one run's trace, stderr and chapter.json files, per stage.

Per stage: calls (HTTP attempts), mean and p95 latency, completion tokens (mean, max, and max / the
bound sent as max_tokens), finish reasons, repairs and how they ended, failures by kind. Then the gate:
the checklist items that failed (model items and panelproc's rules), counted over all panels, and the
panels that failed because a stage could not answer. Goals: max/bound <= 1.0, no context overflow,
p95 <= 3 x mean (printed PASS/MISS).
"""
import argparse, collections, glob, json, os, re, sqlite3, statistics, sys

parser = argparse.ArgumentParser()
parser.add_argument("--label", required=True)
parser.add_argument("--trace", required=True)
parser.add_argument("--stderr", required=True)
parser.add_argument("--status", type=int, required=True)
parser.add_argument("--seconds", type=float, required=True)
parser.add_argument("--generated", required=True)
args = parser.parse_args()


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(0.95 * len(values))) - 1))]


print(f"\n== {args.label} ==")
text = open(args.stderr, errors="replace").read()
summary = next((line for line in reversed(text.splitlines()) if re.search(r"\d+ passed, \d+ failed", line)), "")
match = re.search(r"(\d+) passed, (\d+) failed", summary)
passed, failed = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
panels = passed + failed
rate = f"{100.0 * passed / panels:.0f}%" if panels else "n/a"
print(f"exit status {args.status}; panels {passed} passed, {failed} failed (pass rate {rate}); run {args.seconds:.1f} s")
if not os.path.exists(args.trace):
    print("no trace written"); sys.exit(0)

db = sqlite3.connect(args.trace)
columns = {row[1] for row in db.execute("pragma table_info(calls)")}
if "max_tokens" not in columns:
    print("this build's trace has no max_tokens/finish_reason columns: no per-stage report"); sys.exit(0)
rows = db.execute("""select stage, status, latency_ms, tokens_out, max_tokens, finish_reason, failure_kind, error, attempt, tokens_in
                     from calls where provider = 'openai' and status != 'cached'""").fetchall()
if not rows:
    print("no openai calls in the trace"); sys.exit(0)

by_stage = collections.defaultdict(list)
for row in rows:
    by_stage[row[0]].append(row)
all_latency = [r[2] for r in rows if r[2] is not None]
overflows = sum(1 for r in rows if r[6] == "context_overflow" or "exceeds the available context" in (r[7] or ""))
worst_ratio = 0.0
print(f"{'stage':<14}{'calls':>6}{'mean s':>8}{'p95 s':>8}{'tok mean':>9}{'tok max':>8}{'bound':>7}{'max/bnd':>8}  finish reasons; repairs; failures")
for stage, items in sorted(by_stage.items()):
    latency = [r[2] / 1000 for r in items if r[2] is not None]
    answered = [r for r in items if r[1] == "succeeded"]
    tokens = [r[3] for r in answered if r[3] is not None]
    bounds = [r[4] for r in items if r[4]]
    bound = max(bounds) if bounds else None
    # A repaired answer's tokens_out sums both answers; each answer alone is what the bound caps.
    single = [r[3] for r in answered if r[3] is not None and "repaired:" not in (r[7] or "")]
    ratio = (max(single) / bound) if single and bound else None
    if ratio is not None:
        worst_ratio = max(worst_ratio, ratio)
    finish = collections.Counter(r[5] or "-" for r in answered)
    repaired_ok = sum(1 for r in answered if "repaired:" in (r[7] or ""))
    repaired_bad = sum(1 for r in items if r[1] == "failed" and "after a repair" in (r[7] or ""))
    kinds = collections.Counter(r[6] or "other" for r in items if r[1] == "failed")
    print(f"{stage:<14}{len(items):>6}{statistics.mean(latency) if latency else 0:>8.1f}{p95(latency) if latency else 0:>8.1f}"
          f"{statistics.mean(tokens) if tokens else 0:>9.0f}{max(tokens) if tokens else 0:>8}{bound or '-':>7}"
          f"{(f'{ratio:.2f}' if ratio is not None else '-'):>8}  "
          + ", ".join(f"{k} {v}" for k, v in sorted(finish.items()))
          + f"; repairs fixed {repaired_ok}, failed {repaired_bad}"
          + ("; " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) if kinds else ""))
mean, high = statistics.mean(all_latency) / 1000, p95(all_latency) / 1000
print(f"all calls: {len(rows)}, latency mean {mean:.1f} s, p95 {high:.1f} s, max {max(all_latency) / 1000:.1f} s; "
      f"where time went: " + ", ".join(f"{stage} {sum((r[2] or 0) for r in items) / 1000:.0f} s"
                                       for stage, items in sorted(by_stage.items(), key=lambda kv: -sum((r[2] or 0) for r in kv[1]))))
print(f"goal max/bound <= 1.0: {worst_ratio:.2f} {'PASS' if worst_ratio <= 1.0 else 'MISS'}")
print(f"goal 0 context overflows: {overflows} {'PASS' if overflows == 0 else 'MISS'}")
print(f"goal p95 <= 3 x mean: {high / mean if mean else 0:.2f} x {'PASS' if mean and high <= 3 * mean else 'MISS'}")

# The gate, from chapter.json: which checklist items fail, and which stages could not answer.
failed_items, stage_failures, examples = collections.Counter(), collections.Counter(), {}
for path in sorted(glob.glob(os.path.join(args.generated, "*", "chapter.json"))):
    chapter = json.load(open(path))
    for panel in chapter.get("panels", []):
        stages = panel.get("stages", {})
        for name, stage in stages.items():
            if stage.get("state") == "failed":
                stage_failures[name] += 1
        for item in ((stages.get("checklist") or {}).get("result") or {}).get("items", []):
            if not item.get("passed"):
                key = f"{item.get('source', '?')}:{item.get('id')}{' (blocker)' if item.get('blocker') else ''}"
                failed_items[key] += 1
                examples.setdefault(key, f"{panel.get('id')}: {item.get('note', '')[:140]}")
print("gate: failed checklist items over all panels: " + (", ".join(f"{k} {v}" for k, v in failed_items.most_common()) or "none"))
for key, example in examples.items():
    print(f"  e.g. {key} — {example}")
print("panels stopped by a stage that could not answer: " + (", ".join(f"{k} {v}" for k, v in stage_failures.most_common()) or "none"))
