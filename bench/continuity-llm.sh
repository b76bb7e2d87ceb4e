#!/usr/bin/env bash
# The continuity model pass against a real OpenAI-compatible server (llama.cpp's llama-server,
# vLLM, OpenAI…). Copies the continuity fixtures (seeded.md, clean.md, the three-chapter saga) to
# a scratch folder and runs `panelproc continuity --model-pass --provider openai` over each, then
# prints the alerts by who found them, the model alerts kept (panel ids checked, duplicates of the
# rules' dropped), the calls and their latency from the trace, and the wall time.
#
#   bench/continuity-llm.sh http://127.0.0.1:8080/v1 [model]      (default model: local)
#
# Environment: CALL_TIMEOUT (seconds, default 600); OPENAI_API_KEY if the server wants one; RESPONSE_FORMAT=json_object for servers
# without json_schema support. A llama.cpp server can come from `bench/real-llm.sh --server-only`.
set -euo pipefail
BASE_URL=${1:?usage: bench/continuity-llm.sh BASE_URL [MODEL]}
MODEL=${2:-local}
. "$(dirname "$0")/lib.sh"

cp -r "$ROOT/Tests/PanelKitTests/Fixtures/continuity/." "$T/"
# A small model on two cores needs more than the default 120 s for a 40-panel window.
printf 'trace: .panelproc/trace.sqlite\nresponse_format: %s\ncall_timeout: %s\ncontinuity:\n  model: true\n' \
  "${RESPONSE_FORMAT:-json_schema}" "${CALL_TIMEOUT:-600}" > "$T/panelproc.yml"

python3 - "$T" "$BIN" "$BASE_URL" "$MODEL" <<'PY'
import json, os, sqlite3, statistics, subprocess, sys, time

folder, binary, base_url, model = sys.argv[1:5]
env = dict(os.environ, OPENAI_BASE_URL=base_url)
runs = [("seeded.md",), ("clean.md",), ("saga/10-the-green-scarf.md", "saga/1-the-red-scarf.md", "saga/2-the-bank.md")]
total = 0.0
for files in runs:
    start = time.perf_counter()
    proc = subprocess.run([binary, "continuity", "--json", "--provider", "openai", "--model", model, *files], cwd=folder, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    total += elapsed
    if proc.returncode != 0:
        print(f"{' '.join(files)}: exit {proc.returncode}: {proc.stderr.strip()[-600:]}")
        continue
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    alerts = [a for r in reports for a in r["alerts"]]
    model_alerts = [a for a in alerts if a["found_by"] == "model"]
    print(f"{' '.join(files)}: {len(alerts) - len(model_alerts)} rule alerts, {len(model_alerts)} model alerts kept; {elapsed:.1f} s")
    for a in model_alerts:
        print(f"  model {a['type']} ({a['severity']}) {a['source']['panel']} -> {a['conflict']['panel']}: {a['title']}")
db = sqlite3.connect(os.path.join(folder, ".panelproc", "trace.sqlite"))
columns = [row[1] for row in db.execute("PRAGMA table_info(calls)")]
latency = "latency_ms" if "latency_ms" in columns else None
rows = db.execute(f"SELECT status{', ' + latency if latency else ''} FROM calls WHERE prompt_name = 'continuity'").fetchall()
lat = [r[1] for r in rows if latency and r[1] is not None]
print(f"calls: {len(rows)} ({', '.join(sorted(set(str(r[0]) for r in rows)))})"
      + (f"; latency mean {statistics.mean(lat):.0f} ms, max {max(lat):.0f} ms" if lat else ""))
print(f"wall time: {total:.1f} s")
PY
