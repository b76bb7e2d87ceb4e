#!/usr/bin/env python3
"""A fault-injecting loopback stand-in for an OpenAI-compatible chat-completions server.

Binds 127.0.0.1 on an ephemeral port (or --port), prints the port as its first stdout line, and
exits when its stdin closes (processes started by Foundation.Process may ignore signals).
Standard library only.

Endpoints
  POST /v1/chat/completions   answers a valid instance of the requested schema
  GET  /count                 {"total": n, "by_outcome": {"ok": n, "429": n, ...}}: API requests only
  GET  /requests              what each API request carried: prompt, format, messages, has_key, outcome
  GET  /health                {"status": "ok"}
  GET  /props                 with --n-ctx N, llama-server's answer: {"default_generation_settings": {"n_ctx": N}}
                              (404 without, as on OpenAI)

The answer is a minimal instance of `response_format.json_schema.schema` (in json_object mode,
of the schema the system message spells out after "JSON Schema:"): required keys only, strings
of their minLength (at least "x"), the first enum value, numbers within minimum..maximum, arrays
of minItems. For the `theme` prompt the first taxonomy name in the user message is picked
("- name: description" lines). --answers '{"<prompt name>": <answer>}' replaces the generator
for a prompt.

Faults
  --latency-ms N          wait before answering (each request, on its own thread)
  --rpm N                 more than N requests in any 60 s window get 429 with Retry-After
  --tpm N                 more than N prompt tokens (words) in any 60 s window get 429 likewise
  --window S              that window in seconds instead of 60 (tests: a cap that frees in a second)
                          With either, every answer carries OpenAI's rate-limit headers:
                          x-ratelimit-limit-requests, x-ratelimit-remaining-requests (what is
                          left in the window after this request), x-ratelimit-reset-requests
                          (when the oldest request leaves the window, e.g. "1s", "6m0s",
                          "20ms"), and the -tokens equivalents (limit 1000 x rpm without --tpm)
  --faults SPEC           comma-separated kind=probability, kinds:
                            429      429 without Retry-After
                            429ra    429 with Retry-After (--retry-after, default 1)
                          e.g. --faults 429ra=0.1: one request in ten, at random, is a 429
                            500      500 with an error body
                            drop     close the connection without answering
                            malformed  200 whose content is not JSON
                            truncated  200 whose JSON is cut off, finish_reason "length"
                            ramble   200 whose content is prose until max_tokens (5000 words when
                                     the request sets none), finish_reason "length": a small model
                                     that never closes its JSON
  --n-ctx N               the context window: /props reports it, and a request whose prompt (in
                          words) is longer gets 400 "exceed_context_size_error", as llama-server does
  --mixed                 the issue's mix: 5% 429, 5% 429ra, 5% 500, 2% drop,
                          2.5% malformed, 2.5% truncated
  --seed N                the draw for a request depends only on the seed, the request body and
                          how often that body was seen before, so a run's faults do not depend
                          on the order concurrent requests arrive in
  --key KEY               any other bearer key is a 401 (whose message quotes the key received,
                          as careless servers do, so redaction has something to catch)
"""

import argparse
import hashlib
import json
import re
import socket
import struct
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler

from loopback_http import LoopbackHTTPServer, serve_until_stdin_closes

MIXED = "429=0.05,429ra=0.05,500=0.05,drop=0.02,malformed=0.025,truncated=0.025"
KINDS = ["429", "429ra", "500", "drop", "malformed", "truncated", "ramble"]


def parse_faults(spec):
    faults = []
    for part in filter(None, (spec or "").split(",")):
        kind, _, probability = part.partition("=")
        kind = kind.strip()
        if kind not in KINDS:
            raise SystemExit(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
        faults.append((kind, float(probability)))
    return faults


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.faults = parse_faults(MIXED if args.mixed else args.faults)
        self.answers = json.loads(args.answers) if args.answers else {}
        self.seen = {}
        self.window = deque()
        self.total = 0
        self.by_outcome = {}
        self.requests = []
        self.in_flight = 0
        self.max_in_flight = 0

    def draw(self, body):
        """The fault for this request, or None."""
        digest = hashlib.sha256(body).hexdigest()
        with self.lock:
            count = self.seen.get(digest, 0)
            self.seen[digest] = count + 1
        unit = int(hashlib.sha256(f"{self.args.seed}:{digest}:{count}".encode()).hexdigest()[:13], 16) / float(1 << 52)
        edge = 0.0
        for kind, probability in self.faults:
            edge += probability
            if unit < edge:
                return kind
        return None

    def admit(self, tokens):
        """Enforces --rpm and --tpm over a sliding window (--window, 60 s): (seconds to wait when this request
        passes a cap, else None; the x-ratelimit-* headers to send, empty without a cap)."""
        rpm, tpm = self.args.rpm, self.args.tpm or 1000 * self.args.rpm
        if not rpm and not tpm:
            return None, {}
        now = time.monotonic()
        with self.lock:
            while self.window and now - self.window[0][0] >= self.args.window:
                self.window.popleft()
            used_requests, used_tokens = len(self.window), sum(spent for _, spent in self.window)
            refused = (rpm and used_requests >= rpm) or (self.args.tpm and used_tokens + tokens > self.args.tpm)
            if not refused:
                self.window.append((now, tokens))
                used_requests, used_tokens = used_requests + 1, used_tokens + tokens
            reset = self.args.window - (now - self.window[0][0]) if self.window else 0
        headers = {}
        for kind, limit, used in (("requests", rpm, used_requests), ("tokens", tpm, used_tokens)):
            if limit:
                headers.update({f"x-ratelimit-limit-{kind}": str(limit),
                                f"x-ratelimit-remaining-{kind}": str(max(0, limit - used)),
                                f"x-ratelimit-reset-{kind}": go_duration(reset)})
        return (max(1, int(reset + 0.999)) if refused else None), headers

    def record(self, entry, outcome):
        with self.lock:
            self.total += 1
            self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1
            entry["outcome"] = outcome
            self.requests.append(entry)


def go_duration(seconds):
    """A wait as OpenAI writes it: "20ms", "1s", "59.5s", "6m0s"."""
    if seconds < 1:
        return f"{max(0, round(seconds * 1000))}ms"
    minutes, rest = divmod(round(seconds, 3), 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    return f"{int(minutes)}m{text}" if minutes else text


def minimal(schema, theme_hint=None, key=None):
    """A small value satisfying the subset of JSON Schema panelproc's templates use."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: minimal(properties.get(name, {}), theme_hint, name) for name in schema.get("required", [])}
    if kind == "array":
        return [minimal(schema.get("items", {}), theme_hint) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        if key == "theme" and theme_hint:
            return theme_hint
        text = "ok"
        text = text * (schema.get("minLength", 1) // 2 + 1)
        return text[: max(schema.get("minLength", 1), min(len(text), schema.get("maxLength", len(text))))]
    if kind in ("number", "integer"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            value = (low + high) / 2
        else:
            value = low if low is not None else (high if high is not None and high < 0 else 0)
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    return None


def schema_from_system(messages):
    """json_object mode: the schema the system message spells out after 'JSON Schema:'."""
    for message in messages:
        content = message.get("content") or ""
        if message.get("role") == "system" and "JSON Schema:" in content:
            try:
                return json.loads(content.rsplit("JSON Schema:", 1)[1].strip())
            except ValueError:
                return None
    return None


def prompt_tokens(messages):
    """Tokens, roughly: the words of every message."""
    return sum(len((m.get("content") or "").split()) for m in messages)


def theme_hint(messages):
    for message in messages:
        if message.get("role") == "user":
            found = re.search(r"^- ([^:\n]+):", message.get("content") or "", re.MULTILINE)
            if found:
                return found.group(1).strip()
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-chat-api/1"

    def log_message(self, *args):
        pass

    def send_json(self, status, value, headers=None):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, header in (headers or {}).items():
            self.send_header(name, header)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        state = self.server.state
        if self.path == "/count":
            with state.lock:
                self.send_json(200, {"total": state.total, "by_outcome": dict(state.by_outcome),
                                     "max_in_flight": state.max_in_flight})
        elif self.path == "/requests":
            with state.lock:
                self.send_json(200, list(state.requests))
        elif self.path == "/health":
            self.send_json(200, {"status": "ok"})
        elif self.path == "/props" and state.args.n_ctx:
            self.send_json(200, {"default_generation_settings": {"n_ctx": state.args.n_ctx}, "total_slots": 1})
        else:
            self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        """Counts the requests being answered at once (`max_in_flight` in `GET /count`)."""
        state = self.server.state
        with state.lock:
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            self.answer_post()
        finally:
            with state.lock:
                state.in_flight -= 1

    def answer_post(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            request = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        messages = request.get("messages") or []
        response_format = request.get("response_format") or {}
        json_schema = response_format.get("json_schema") or {}
        name = json_schema.get("name") or "unknown"
        auth = self.headers.get("Authorization") or ""
        entry = {"path": self.path, "prompt": name, "format": response_format.get("type"), "messages": len(messages),
                 "has_key": auth.startswith("Bearer "), "model": request.get("model"),
                 "temperature": request.get("temperature"), "seed": request.get("seed"),
                 "max_tokens": request.get("max_tokens"), "prompt_tokens": prompt_tokens(messages),
                 "assistant_chars": sum(len(m.get("content") or "") for m in messages if m.get("role") == "assistant")}
        if state.args.latency_ms:
            time.sleep(state.args.latency_ms / 1000.0)
        if state.args.key is not None and auth != f"Bearer {state.args.key}":
            state.record(entry, "401")
            received = auth[len("Bearer "):] if auth.startswith("Bearer ") else "(none)"
            self.send_json(401, {"error": {"message": f"Incorrect API key provided: {received}", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}})
            return
        if state.args.n_ctx and prompt_tokens(messages) > state.args.n_ctx:
            state.record(entry, "400ctx")
            self.send_json(400, {"error": {"code": 400, "type": "exceed_context_size_error", "message":
                                           f"request ({prompt_tokens(messages)} tokens) exceeds the available context size "
                                           f"({state.args.n_ctx} tokens), try increasing it"}})
            return
        wait, limits = state.admit(prompt_tokens(messages))
        if wait is not None:
            state.record(entry, "429rpm")
            self.send_json(429, {"error": {"message": f"Rate limit reached: {state.args.rpm} requests per minute", "type": "requests",
                                           "code": "rate_limit_exceeded"}}, {"Retry-After": str(wait), **limits})
            return
        fault = state.draw(raw)
        if fault == "drop":
            state.record(entry, "drop")
            # The answer starts, then the connection goes: headers promising a body that never
            # comes, then a reset (SO_LINGER 0), so the client sees the drop at once.
            self.close_connection = True
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"id\":")
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass
            return
        if fault in ("429", "429ra"):
            state.record(entry, fault)
            headers = {"Retry-After": state.args.retry_after} if fault == "429ra" else {}
            self.send_json(429, {"error": {"message": "Rate limit reached (injected)", "type": "requests", "code": "rate_limit_exceeded"}},
                           {**headers, **limits})
            return
        if fault == "500":
            state.record(entry, "500")
            self.send_json(500, {"error": {"message": "The server had an error while processing your request (injected).",
                                           "type": "server_error"}}, limits)
            return
        schema = json_schema.get("schema") or schema_from_system(messages) or {"type": "object"}
        if name in state.answers:
            answer = state.answers[name]
        else:
            answer = minimal(schema, theme_hint(messages) if name == "theme" or "theme" in (schema.get("properties") or {}) else None)
        content = json.dumps(answer)
        finish = "stop"
        if fault == "malformed":
            content = "Sure! Here is the JSON you asked for: {'answer': oops"
        elif fault == "truncated":
            content = content[: max(1, len(content) // 2)]
            finish = "length"
        elif fault == "ramble":
            content = "Here is the panel, described at length: " + " ".join(["and then"] * (request.get("max_tokens") or 5000))
            finish = "length"
        state.record(entry, fault or "ok")
        with state.lock:
            number = state.total
        self.send_json(200, {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "model": request.get("model") or "fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens(messages), "completion_tokens": len(content.split())},
        }, {"x-request-id": f"req_fake_{number}", **limits})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--rpm", type=int, default=0)
    parser.add_argument("--tpm", type=int, default=0)
    parser.add_argument("--window", type=float, default=60)
    parser.add_argument("--faults", default="")
    parser.add_argument("--mixed", action="store_true")
    parser.add_argument("--retry-after", default="1")
    parser.add_argument("--n-ctx", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--key", default=None)
    parser.add_argument("--answers", default=None)
    args = parser.parse_args()

    serve_until_stdin_closes(args.port, Handler, State(args))


if __name__ == "__main__":
    main()
