#!/usr/bin/env bash
# Measures panelproc's pass-through cost: a >= 5 MB panel-free Markdown file (generated, seeded) run through
# `panelproc FILE`, `panelproc < FILE` and, as the yardstick, `cmark-gfm` (GFM extensions, to HTML); goal: ratio <= 1.5x.
# Run from the repo root: bench/passthrough.sh   (env: RUNS=15 runs per command, SIZE_MB=5.5 generated size)
set -euo pipefail

RUNS=${RUNS:-15}
WARMUP=2
SIZE_MB=${SIZE_MB:-5.5}
GOAL=1.5
EXTS=(--extension table --extension strikethrough --extension autolink --extension tagfilter --extension tasklist)

cd "$(dirname "$0")/.."
ROOT=$PWD

die() { echo "passthrough: $*" >&2; exit "${2:-1}"; }

# --- tools ------------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is required (apt-get install -y python3)" 2
if ! command -v cmark-gfm >/dev/null; then
    echo "passthrough: the cmark-gfm command-line tool is missing; install it with:" >&2
    echo "    apt-get install -y cmark-gfm" >&2
    exit 2
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- build ------------------------------------------------------------------------------------
build_start=$(date +%s.%N)
if ! swift build -c release --product panelproc >"$T/build.log" 2>&1; then
    { grep -m 20 'error:' "$T/build.log" || tail -n 30 "$T/build.log"; } >&2
    die "release build failed (swift build -c release --product panelproc)"
fi
BIN="$(swift build -c release --show-bin-path)/panelproc"
[[ -x $BIN ]] || die "no binary at $BIN"
build_s=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$build_start" "$(date +%s.%N)")

# --- input: deterministic, varied, panel-free Markdown ----------------------------------------
FILE="$T/passthrough.md"
shopt -s nullglob
FIXTURES=("$ROOT"/Tests/PanelKitTests/Fixtures/passthrough/*.md)
shopt -u nullglob
python3 - "$FILE" "$SIZE_MB" "${FIXTURES[@]}" >"$T/gen.txt" <<'PY'
import random, re, sys

out_path, size_mb, fixtures = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
TARGET = int(size_mb * 1024 * 1024)
rng = random.Random(20240607)

WORDS = """the a of and to in is it that was for on with as by at from this be or an are not
have which one all their there been has more when will would who so no out up into than them
can only other new some could time these two may first then do any like my now over such our
man me even most made after also did many before must through back years where much your way
well down should because each just those people how too little state good very make world still
own see men work long get here between both life being under never day same another know while
last might us great old year off come since against go came right used take three lantern harbour
river market signal ledger compass archive orchard window bridge quarry meadow engine thread
courier library village gallery kitchen garden letter winter morning evening station platform
ticket shelf drawer mirror candle anchor harbourmaster cartographer printer baker weaver clerk
quietly slowly carefully suddenly almost nearly rather quite perhaps together apart beneath
beyond across toward around despite although however therefore meanwhile otherwise cobalt amber
silver crimson narrow broad ancient recent hollow bright distant familiar curious patient steady
café naïve façade über jalapeño Zürich São Paulo smörgåsbord résumé coöperate""".split()
TECH = """parser buffer config cache handler request response token payload schema index cursor
stream socket thread queue worker module package binary symbol render encode decode serialize
checksum manifest registry timeout retry backoff offset length capacity allocator iterator""".split()
LANGS = ["python", "swift", "json", "bash", "yaml", "js", "rust", "sql", "", "text", "diff", "toml"]
EXT_URLS = ["https://example.com", "https://docs.example.org", "http://intranet.example.net",
            "https://www.example.co.uk", "https://example.com/a/b/c"]

class Doc:
    def __init__(self, kind, n):
        self.kind, self.n = kind, n
        self.refs = []       # link reference labels used
        self.notes = []      # footnote labels used

def w():
    return rng.choice(WORDS)

def tw():
    return rng.choice(TECH)

def url():
    return rng.choice(EXT_URLS) + "/" + "/".join(rng.choice(TECH) for _ in range(rng.randint(0, 3)))

def inline_token(doc):
    r = rng.random()
    word = w()
    if r < 0.05: return f"*{word}*"
    if r < 0.08: return f"_{word}_"
    if r < 0.11: return f"**{word} {w()}**"
    if r < 0.12: return f"__{word}__"
    if r < 0.13: return f"~~{word}~~"
    if r < 0.17: return f"`{tw()}.{tw()}()`"
    if r < 0.19: return f"[{word} {w()}]({url()})"
    if r < 0.20: return f'[{word}]({url()} "{w().capitalize()} {w()}")'
    if r < 0.215:
        label = f"ref-{doc.n}-{len(doc.refs)}"
        doc.refs.append(label)
        return f"[{word} {w()}][{label}]"
    if r < 0.22: return f"<{url()}>"
    if r < 0.225: return f"www.example.{rng.choice(['com', 'org', 'net'])}/{tw()}"
    if r < 0.23:
        label = f"n{doc.n}x{len(doc.notes)}"
        doc.notes.append(label)
        return f"{word}[^{label}]"
    if r < 0.233: return f"![{word} {w()}](images/{tw()}-{rng.randint(1, 99)}.png)"
    if r < 0.237: return rng.choice(["&amp;", "&mdash;", "&copy;", "&#8212;", "&lt;tag&gt;"])
    if r < 0.240: return rng.choice([r"\*not emphasis\*", r"\_kept\_", r"a \| b", r"\[brackets\]"])
    if r < 0.243: return f"<kbd>{rng.choice(['Ctrl', 'Alt', 'Shift', 'Cmd'])}</kbd>+<kbd>{rng.choice('ABCXYZ')}</kbd>"
    if r < 0.246: return f"{word} (see page {rng.randint(2, 400)})"   # mid-sentence, never at a line start
    if r < 0.250: return f"{word} {rng.randint(1, 2024)}"
    if r < 0.255: return f"“{word}”"
    return word

def sentence(doc, lo=5, hi=18):
    first = w()
    while first.lower() in ("page", "panel"):
        first = w()
    toks = [first.capitalize()] + [inline_token(doc) for _ in range(rng.randint(lo, hi) - 1)]
    end = rng.choice("?!:;") if rng.random() < 0.1 else "."
    return " ".join(toks) + end

def wrap(text, width, indent=""):
    """Greedy wrap that never splits inline tokens (they hold no spaces in a way we split on)."""
    lines, cur = [], ""
    for tok in text.split(" "):
        if cur and len(cur) + 1 + len(tok) > width:
            lines.append(cur)
            cur = tok
        else:
            cur = f"{cur} {tok}" if cur else tok
    if cur: lines.append(cur)
    # A line may not start with a token that would begin a block (list marker, heading, quote...).
    fixed = []
    for line in lines:
        if re.match(r"^([-+*>#|=~`]|\d+[.)]|(page|panel)\b)", line, re.I):
            line = "and " + line
        fixed.append(line)
    return [indent + l for l in fixed]

def paragraph(doc, indent="", sentences=None):
    n = sentences or rng.randint(1, 7)
    text = " ".join(sentence(doc) for _ in range(n))
    lines = wrap(text, rng.choice([72, 80, 100, 10000]), indent)
    if len(lines) > 2 and rng.random() < 0.15:          # hard line breaks
        i = rng.randrange(len(lines) - 1)
        lines[i] += rng.choice(["  ", "\\"])
    return "\n".join(lines)

def heading_text(doc):
    words = [w().capitalize() for _ in range(rng.randint(2, 6))]
    if words[0].lower() in ("page", "panel"): words[0] = "The"
    r = rng.random()
    if r < 0.1: words.append(f"`{tw()}`")
    elif r < 0.15: words[1] = f"*{words[1]}*"
    elif r < 0.18: words.append(f"({rng.randint(1, 12)} of {rng.randint(12, 20)})")
    return " ".join(words)

def heading(doc, level):
    text = heading_text(doc)
    if level <= 2 and rng.random() < 0.3:                  # setext
        return text + "\n" + ("=" if level == 1 else "-") * rng.choice([3, len(text)])
    closing = " " + "#" * rng.choice([level, 1, 3]) if rng.random() < 0.1 else ""
    return "#" * level + " " + text + closing

def bullet_list(doc, depth=0, ordered=None, task=False):
    ordered = rng.random() < 0.35 if ordered is None else ordered
    delim = rng.choice([".", ")"]) if ordered else rng.choice(["-", "*", "+"])
    start = rng.choice([1, 1, 1, 0, 3, 10]) if ordered else None
    loose = rng.random() < 0.2
    items = []
    for i in range(rng.randint(2, 7)):
        marker = f"{start + i}{delim} " if ordered else f"{delim} "
        if task and not ordered:
            marker += rng.choice(["[ ] ", "[x] ", "[X] "])
        pad = " " * (len(f"{start + i}{delim} ") if ordered else 2)
        first = " ".join(inline_token(doc) for _ in range(rng.randint(2, 14)))
        first = first[0].upper() + first[1:] if first[0].isalpha() else w().capitalize() + " " + first
        body = [marker + first]
        if loose and rng.random() < 0.5:
            body.append("")
            body.extend(wrap(paragraph(doc, sentences=2).replace("\n", " "), 76, pad))
        if depth < 2 and rng.random() < 0.25:
            if loose: body.append("")
            body.extend(pad + l if l else "" for l in bullet_list(doc, depth + 1).split("\n"))
        if depth == 0 and rng.random() < 0.05:
            body.append("")
            body.extend(pad + l if l else "" for l in fenced_code(doc).split("\n"))
        if rng.random() < 0.02 and not task:             # marker-like item text: NOT top level, so not a marker
            body[0] = marker + rng.choice(["Page", "Panel", "PANEL"]) + f" {rng.randint(1, 30)}"
        items.append("\n".join(body))
    return ("\n\n" if loose else "\n").join(items)

def task_list(doc):
    return bullet_list(doc, ordered=False, task=True)

def table(doc):
    cols = rng.randint(2, 6)
    head = [w().capitalize() for _ in range(cols)]
    align = [rng.choice(["---", ":---", "---:", ":---:", "-----------"]) for _ in range(cols)]
    outer = rng.random() < 0.8
    def row(cells):
        s = " | ".join(cells)
        return f"| {s} |" if outer else s
    lines = [row(head), row(align)]
    for _ in range(rng.randint(2, 25)):
        cells = []
        for _ in range(cols):
            r = rng.random()
            if r < 0.3: cells.append(str(rng.randint(0, 99999)))
            elif r < 0.4: cells.append(f"`{tw()}`")
            elif r < 0.45: cells.append(f"**{w()}**")
            elif r < 0.48: cells.append(r"a \| b")
            elif r < 0.5: cells.append("")
            elif r < 0.53: cells.append(f"[{w()}]({url()})")
            else: cells.append(" ".join(w() for _ in range(rng.randint(1, 5))))
        lines.append(row(cells))
    return "\n".join(lines)

def code_lines(lang):
    n = rng.randint(3, 30)
    out = []
    for i in range(n):
        ind = "    " * rng.randint(0, 3)
        a, b, c = tw(), tw(), rng.randint(0, 999)
        if lang == "python":
            out.append(rng.choice([f"{ind}def {a}_{b}(self, {c and b}):", f"{ind}return {a}[{c}] + {b}",
                                   f"{ind}# {w()} {w()} {w()}", f"{ind}{a} = {{'{b}': {c}}}"]))
        elif lang == "json":
            value = rng.choice([str(c), '"' + b + '"', "true", "null", "[1, 2, 3]"])
            out.append(f'{ind}"{a}": {value},')
        elif lang == "bash":
            out.append(rng.choice([f"{a} --{b}={c} | grep -v '^#'", f"export {a.upper()}_{b.upper()}={c}",
                                   f"for f in *.{a}; do echo \"$f\"; done", f"# {w()} {w()}"]))
        elif lang == "yaml":
            out.append(f"{ind[:2 * (i % 3)]}{a}: {rng.choice([str(c), b, '[a, b]', '|'])}")
        elif lang == "swift":
            out.append(rng.choice([f"{ind}let {a} = {b}.{tw()}({c})", f"{ind}func {a}() -> Int {{ {c} }}",
                                   f"{ind}// {w()} {w()} {w()}", f"{ind}}}"]))
        elif lang == "diff":
            out.append(rng.choice(["+", "-", " "]) + f"{a} = {b}({c})")
        else:
            out.append(f"{ind}{a}({b}, {c}); // {w()} <{w()}> & {w()}")
    return out

def fenced_code(doc):
    lang = rng.choice(LANGS)
    fence = rng.choice(["```", "```", "~~~", "````"])
    body = code_lines(lang)
    if fence == "````" and rng.random() < 0.5:
        body[len(body) // 2:len(body) // 2] = ["```markdown", "# not a heading", "```"]
    info = lang + (" title=\"example\"" if lang and rng.random() < 0.1 else "")
    return "\n".join([fence + info] + body + [fence])

def indented_code(doc):
    return "\n".join("    " + l if l.strip() else "" for l in code_lines(rng.choice(["python", "text", "bash"])))

def block_quote(doc, depth=0):
    parts = [paragraph(doc, sentences=rng.randint(1, 3))]
    r = rng.random()
    if r < 0.2: parts.append(bullet_list(doc))
    elif r < 0.3: parts.append(f"#{'#' * rng.randint(1, 3)} {heading_text(doc)}")
    elif r < 0.4 and depth < 2: parts.append(block_quote(doc, depth + 1))
    elif r < 0.45: parts.append(fenced_code(doc))
    elif r < 0.5: parts.append(f"Panel {rng.randint(1, 20)}")      # nested in a quote: not a marker
    out = []
    for i, p in enumerate(parts):
        if i: out.append(">")
        out.extend("> " + l if l else ">" for l in p.split("\n"))
    if rng.random() < 0.15:                                        # lazy continuation line
        out.append(" ".join(w() for _ in range(rng.randint(3, 9))) + ".")
    return "\n".join(out)

def html_block(doc):
    r = rng.random()
    if r < 0.25:
        return f'<div class="{tw()}-note">\n<p>{paragraph(doc, sentences=1)}</p>\n</div>'
    if r < 0.45:
        return f"<!-- {w()} {w()}\n{' '.join(w() for _ in range(8))}\n-->"
    if r < 0.65:
        return (f"<details>\n<summary>{heading_text(doc)}</summary>\n\n{paragraph(doc, sentences=2)}\n\n</details>")
    if r < 0.8:
        cells = "".join(f"<td>{w()}</td>" for _ in range(rng.randint(2, 5)))
        return f'<table class="raw">\n  <tr>{cells}</tr>\n  <tr>{cells}</tr>\n</table>'
    if r < 0.9:
        return f"<pre>\n{chr(10).join(code_lines('text'))}\n</pre>"
    return f'<img src="images/{tw()}.svg" alt="{w()}" width="{rng.randint(100, 800)}">'

def thematic_break(doc):
    return rng.choice(["***", "* * *", "___", "- - -", "-----", "_____"])

def definitions(doc):
    out = []
    for label in doc.refs:
        title = rng.choice(["", f' "{w().capitalize()} {w()}"', f" '{w()}'", f" ({w()})"])
        dest = url() if rng.random() < 0.8 else f"<{url()}/with space>"
        out.append(f"[{label}]: {dest}{title}")
    notes = []
    for label in doc.notes:
        notes.append(f"[^{label}]: {paragraph(doc, sentences=1).replace(chr(10), ' ')}")
        if rng.random() < 0.2:
            notes[-1] += "\n\n    " + paragraph(doc, sentences=1).replace("\n", " ")
    return "\n".join(out), "\n\n".join(notes)

# Document kinds: weights for the blocks in their sections.
KINDS = {
    "essay":     dict(p=12, list=1, task=0, table=0, fence=0, icode=0, quote=2, html=0, hr=1),
    "readme":    dict(p=5, list=3, task=1, table=2, fence=4, icode=1, quote=1, html=1, hr=0),
    "reference": dict(p=4, list=2, task=0, table=4, fence=3, icode=1, quote=1, html=1, hr=0),
    "changelog": dict(p=2, list=6, task=1, table=0, fence=1, icode=0, quote=0, html=0, hr=1),
    "notes":     dict(p=4, list=4, task=3, table=1, fence=1, icode=0, quote=2, html=1, hr=1),
    "story":     dict(p=14, list=0, task=0, table=0, fence=0, icode=0, quote=3, html=0, hr=2),
}
MAKERS = dict(p=paragraph, list=bullet_list, task=task_list, table=table, fence=fenced_code,
              icode=indented_code, quote=block_quote, html=html_block, hr=thematic_break)

def document(n):
    kind = rng.choice(list(KINDS))
    doc = Doc(kind, n)
    weights = KINDS[kind]
    names = [k for k in weights if weights[k]]
    blocks = [heading(doc, 1), paragraph(doc)]
    for _ in range(rng.randint(2, 8)):
        level = rng.choice([2, 2, 2, 3, 3, 4, 5, 6])
        blocks.append(heading(doc, level))
        prev = None
        for _ in range(rng.randint(1, 7)):
            name = rng.choices(names, [weights[k] for k in names])[0]
            if name == "icode" and prev not in (None, "p"):   # after a list it would join the last item
                name = "p"
            blocks.append(MAKERS[name](doc))
            prev = name
    defs, notes = definitions(doc)
    if defs: blocks.append(defs)
    if notes: blocks.append(notes)
    return "\n\n".join(blocks) + "\n\n"

chunks, size, n = [], 0, 0
while size < TARGET:
    text = document(n)
    chunks.append(text)
    size += len(text.encode())
    n += 1
generated = "".join(chunks)

# Guard: nothing at the top level may read as a page/panel marker (ATX/setext heading text or a one-line
# paragraph starting with `Panel`/`Page`). Conservative: flags any line starting so with <= 3 spaces of indent.
bad = re.compile(r"^ {0,3}(?:#{1,6}[ \t]+)?[*_]*(?:panel|page)\b", re.I | re.M)
m = bad.search(generated)
if m:
    line = generated.count("\n", 0, m.start()) + 1
    sys.exit(f"generator bug: line {line} could be a panel marker: {generated.splitlines()[line - 1]!r}")

# Optional hand-written pass-through fixtures, mixed in (LF-only UTF-8 without BOM; others skipped).
mixed = 0
for path in sorted(fixtures):
    data = open(path, "rb").read()
    if b"\r" in data or b"\0" in data or data.startswith(b"\xef\xbb\xbf"):
        continue
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        continue
    if not text.endswith("\n"): text += "\n"
    chunks.append(text + "\n")   # at the end: an unclosed fence in a fixture can't swallow generated text
    mixed += 1

with open(out_path, "w", encoding="utf-8", newline="\n") as f:
    f.write("".join(chunks))
print(f"{n} documents" + (f" + {mixed} fixtures" if mixed else ""))
PY
SIZE=$(wc -c <"$FILE")
LINES=$(wc -l <"$FILE")
(( SIZE >= 5 * 1024 * 1024 )) || die "generated file is only $SIZE bytes (< 5 MiB)"

# Run from the input's folder, so `panelproc FILE` and `panelproc < FILE` look for panelproc.yml alike.
cd "$T"

# --- correctness: byte-identical output, and really no panels ---------------------------------
"$BIN" "$FILE" >"$T/out.md" 2>"$T/err.txt" || { cat "$T/err.txt" >&2; die "panelproc FILE failed"; }
if ! cmp -s "$FILE" "$T/out.md"; then
    cmp "$FILE" "$T/out.md" >&2 || true
    die "FAIL: panelproc output differs from its panel-free input (sizes $SIZE vs $(wc -c <"$T/out.md"))"
fi
"$BIN" <"$FILE" 2>/dev/null | cmp -s "$FILE" - || die "FAIL: panelproc < FILE output differs from the input"
"$BIN" inspect "$FILE" >"$T/inspect.json" 2>/dev/null || die "panelproc inspect FILE failed"
python3 - "$T/inspect.json" <<'PY' || die "FAIL: panelproc inspect finds panels in the input (generator or fixture problem)"
import json, sys
panels = json.load(open(sys.argv[1]))["panels"]
if panels:
    first = panels[0]
    sys.exit(f"passthrough: {len(panels)} panels found, first {first['marker']!r} at line {first['source_lines']['start']}")
PY

# --- timing ---------------------------------------------------------------------------------
# A python3 harness rather than hyperfine: it runs the three commands in interleaved rounds, so load
# from other processes (2-core machine) hits all of them alike, and it records CPU time (user+sys) too.
python3 - "$T/times.json" "$WARMUP" "$RUNS" "$FILE" "$BIN" "${EXTS[@]}" <<'PY'
import json, os, sys, time
out, warmup, runs, file, binary, exts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
cases = [([binary, file], None), (["cmark-gfm", *exts, file], None), ([binary], file)]
wall = [[] for _ in cases]
cpu = [[] for _ in cases]
devnull = os.open(os.devnull, os.O_RDWR)
for round_ in range(warmup + runs):
    for i, (argv, stdin_path) in enumerate(cases):
        stdin = os.open(stdin_path, os.O_RDONLY) if stdin_path else devnull
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        if stdin != devnull: os.close(stdin)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"passthrough: {' '.join(argv)} exited with status {os.waitstatus_to_exitcode(status)}")
        if round_ >= warmup:
            wall[i].append(elapsed)
            cpu[i].append(usage.ru_utime + usage.ru_stime)
json.dump({"results": [{"times": w, "cpu": c} for w, c in zip(wall, cpu)], "load": os.getloadavg()[0]}, open(out, "w"))
PY

# --- peak RSS ---------------------------------------------------------------------------------
peak_kb() {  # peak resident set of one run of "$@" < /dev/null, in KiB
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -v "$@" 2>&1 >/dev/null </dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
    else
        python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
    fi
}
RSS_P=$(peak_kb "$BIN" "$FILE")
RSS_C=$(peak_kb cmark-gfm "${EXTS[@]}" "$FILE")

# --- report -----------------------------------------------------------------------------------
GEN=$(cat "$T/gen.txt")
python3 - "$T/times.json" "$GOAL" "$WARMUP" "$SIZE" "$LINES" "$GEN" "$build_s" "$RSS_P" "$RSS_C" <<'PY'
import json, statistics, sys
times_path, goal, warmup, size, lines, gen, build_s, rss_p, rss_c = sys.argv[1:]
goal, size, rss_p, rss_c = float(goal), int(size), int(rss_p), int(rss_c)
data = json.load(open(times_path))
results = data["results"]
med = [statistics.median(r["times"]) * 1000 for r in results]
low = [min(r["times"]) * 1000 for r in results]
cpu = [statistics.median(r["cpu"]) * 1000 for r in results]
print(f"input: {size / 1048576:.2f} MiB ({size} bytes, {lines} lines; {gen}; seeded), panel-free")
print(f"build: release ok ({build_s} s); check: panelproc FILE and < FILE byte-identical, 0 panels: OK")
print(f"timing: {len(results[0]['times'])} interleaved rounds after {warmup} warm-ups, stdout to /dev/null, "
      f"load avg {data['load']:.1f} (2 cores)")
labels = ["(a) panelproc FILE", "(b) cmark-gfm -e x5 FILE (to HTML)", "(c) panelproc < FILE"]
for label, m, l, c in zip(labels, med, low, cpu):
    print(f"  {label:<36} median {m:7.1f} ms  min {l:7.1f} ms  (cpu median {c:6.1f} ms)")
ratio = med[0] / med[1]
print(f"ratio panelproc/cmark-gfm, file input, median wall: {ratio:.2f}x (cpu: {cpu[0] / cpu[1]:.2f}x)"
      f"  goal <= {goal}x: {'PASS' if ratio <= goal else 'MISS'}")
print(f"peak RSS: panelproc {rss_p / 1024:.1f} MiB, cmark-gfm {rss_c / 1024:.1f} MiB")
PY
