#!/usr/bin/env python3
"""A loopback stand-in for OpenAI's Files and Batch APIs, written from their public reference.

Binds 127.0.0.1 on an ephemeral port (or --port), prints the port as its first stdout line, and
exits when its stdin closes. Standard library only.

Endpoints
  POST /v1/files                 multipart/form-data: purpose=batch and file (JSONL) -> a file object
  POST /v1/batches               {"input_file_id", "endpoint": "/v1/chat/completions",
                                  "completion_window": "24h", "metadata"} -> a batch object (validating)
  GET  /v1/batches/{id}          the batch; every GET moves it one state on:
                                 validating -> in_progress -> finalizing -> completed (or expired)
  GET  /v1/files/{id}/content    the file's bytes (input, output or error JSONL)
  GET  /count                    {"uploads": n, "batches": n, "requests": n, "answered": n}
  GET  /health

Each request line is answered as fake_chat_api.py answers a chat request (a minimal instance of
the body's response_format schema). Output lines: {"id", "custom_id", "response": {"status_code":
200, "request_id", "body": <chat.completion>}, "error": null}; error lines: "response" with a 500
and its error body, or "response": null with {"code": "batch_expired"}.

Input checks as documented: purpose must be batch; every line has a unique custom_id, method
POST, the batch's endpoint as url, and one model across the file; otherwise the batch fails
(status "failed", errors.data naming the line).

Options
  --expire-after N   the first batch created answers only its first N requests, then expires:
                     the answered ones in the output file, the rest in the error file as
                     batch_expired (as OpenAI does when the 24h window ends)
  --fail-every K     every K-th request line the server processes (counted across batches, so a
                     resubmitted request lands elsewhere) gets a 500 in the error file
  --key KEY          any other bearer key is a 401 quoting the key received
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from loopback_http import LoopbackHTTPServer, serve_until_stdin_closes
from fake_chat_api import minimal, prompt_tokens, schema_from_system, theme_hint

STEPS = ["validating", "in_progress", "finalizing", "completed"]


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.files = {}
        self.batches = {}
        self.uploads = 0
        self.requests = 0
        self.answered = 0
        self.processed = 0
        self.expired_used = False


def parse_multipart(content_type, body):
    boundary = None
    for part in content_type.split(";"):
        part = part.strip()
        if part.startswith("boundary="):
            boundary = part[len("boundary="):].strip('"')
    if not boundary:
        return None
    fields = {}
    for chunk in body.split(b"--" + boundary.encode()):
        chunk = chunk.strip(b"\r\n")
        if not chunk or chunk == b"--":
            continue
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = head.decode("utf-8", "replace")
        name = filename = None
        for piece in headers.replace("\r\n", ";").split(";"):
            piece = piece.strip()
            if piece.startswith("name="):
                name = piece[5:].strip('"')
            elif piece.startswith("filename="):
                filename = piece[9:].strip('"')
        if name:
            fields[name] = (filename, data)
    return fields


def answer(body, number):
    messages = body.get("messages") or []
    response_format = body.get("response_format") or {}
    json_schema = response_format.get("json_schema") or {}
    schema = json_schema.get("schema") or schema_from_system(messages) or {"type": "object"}
    name = json_schema.get("name") or "unknown"
    value = minimal(schema, theme_hint(messages) if name == "theme" or "theme" in (schema.get("properties") or {}) else None)
    content = json.dumps(value)
    return {
        "id": f"chatcmpl-batch-{number}", "object": "chat.completion", "model": body.get("model") or "fake",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens(messages), "completion_tokens": len(content.split())},
    }


def validate(lines, endpoint):
    """errors.data for a bad input file, or []."""
    seen, models, errors = set(), set(), []
    for number, line in enumerate(lines, 1):
        custom_id = line.get("custom_id")
        if not isinstance(custom_id, str) or custom_id in seen:
            errors.append({"code": "duplicate_custom_id" if custom_id in seen else "missing_custom_id", "line": number,
                           "message": "custom_id must be a unique string", "param": "custom_id"})
        seen.add(custom_id)
        if line.get("method") != "POST":
            errors.append({"code": "invalid_method", "line": number, "message": "method must be POST", "param": "method"})
        if line.get("url") != endpoint:
            errors.append({"code": "mismatched_endpoint", "line": number, "message": f"url must be {endpoint}", "param": "url"})
        models.add((line.get("body") or {}).get("model"))
    if len(models) > 1:
        errors.append({"code": "mismatched_model", "line": None, "message": "a batch file holds requests to one model", "param": "body.model"})
    return errors


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-batch-api/1"

    def log_message(self, *args):
        pass

    def send_bytes(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, value):
        self.send_bytes(status, json.dumps(value).encode())

    def authorised(self):
        key = self.server.state.args.key
        auth = self.headers.get("Authorization") or ""
        if key is not None and auth != f"Bearer {key}":
            received = auth[len("Bearer "):] if auth.startswith("Bearer ") else "(none)"
            self.send_json(401, {"error": {"message": f"Incorrect API key provided: {received}", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}})
            return False
        return True

    def do_GET(self):
        state = self.server.state
        path = self.path.split("?")[0].rstrip("/")
        if path == "/health":
            return self.send_json(200, {"status": "ok"})
        if path == "/count":
            with state.lock:
                return self.send_json(200, {"uploads": state.uploads, "batches": len(state.batches), "requests": state.requests,
                                            "answered": state.answered})
        if not self.authorised():
            return
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "v1" and parts[2] == "batches":
            with state.lock:
                batch = state.batches.get(parts[3])
                if batch is None:
                    return self.send_json(404, {"error": {"message": f"No batch found with id '{parts[3]}'.", "type": "invalid_request_error"}})
                self.advance(batch)
                return self.send_json(200, batch["object"])
        if len(parts) == 5 and parts[1] == "v1" and parts[2] == "files" and parts[4] == "content":
            with state.lock:
                file = state.files.get(parts[3])
            if file is None:
                return self.send_json(404, {"error": {"message": f"No such File object: {parts[3]}", "type": "invalid_request_error"}})
            return self.send_bytes(200, file["bytes"], "application/octet-stream")
        self.send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.authorised():
            return
        path = self.path.rstrip("/")
        if path == "/v1/files":
            fields = parse_multipart(self.headers.get("Content-Type") or "", raw)
            if not fields or "file" not in fields:
                return self.send_json(400, {"error": {"message": "expected multipart/form-data with a file", "type": "invalid_request_error"}})
            purpose = fields.get("purpose", (None, b""))[1].decode()
            if purpose != "batch":
                return self.send_json(400, {"error": {"message": f"purpose must be batch, got {purpose!r}", "type": "invalid_request_error"}})
            filename, data = fields["file"]
            with state.lock:
                state.uploads += 1
                file_id = f"file-in{state.uploads:04d}"
                state.files[file_id] = {"bytes": data, "filename": filename}
            return self.send_json(200, {"id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                                        "filename": filename, "purpose": "batch"})
        if path == "/v1/batches":
            try:
                request = json.loads(raw)
            except ValueError:
                return self.send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            if request.get("completion_window") != "24h":
                return self.send_json(400, {"error": {"message": "completion_window must be 24h", "type": "invalid_request_error"}})
            if request.get("endpoint") != "/v1/chat/completions":
                return self.send_json(400, {"error": {"message": "unsupported endpoint", "type": "invalid_request_error"}})
            with state.lock:
                file = state.files.get(request.get("input_file_id"))
                if file is None:
                    return self.send_json(400, {"error": {"message": "input_file_id not found", "type": "invalid_request_error"}})
                lines = [json.loads(text) for text in file["bytes"].decode().splitlines() if text.strip()]
                number = len(state.batches) + 1
                batch_id = f"batch_fake{number:04d}"
                expire_after = None
                if state.args.expire_after is not None and not state.expired_used:
                    expire_after = state.args.expire_after
                    state.expired_used = True
                batch = {
                    "lines": lines, "step": 0, "expire_after": expire_after, "errors": validate(lines, request["endpoint"]),
                    "object": {
                        "id": batch_id, "object": "batch", "endpoint": request["endpoint"], "errors": None,
                        "input_file_id": request["input_file_id"], "completion_window": "24h", "status": "validating",
                        "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
                        "in_progress_at": None, "expires_at": int(time.time()) + 86400, "finalizing_at": None, "completed_at": None,
                        "failed_at": None, "expired_at": None, "cancelling_at": None, "cancelled_at": None,
                        "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                        "metadata": request.get("metadata") or {},
                    },
                }
                state.batches[batch_id] = batch
                state.requests += len(lines)
            return self.send_json(200, batch["object"])
        self.send_json(404, {"error": {"message": f"no route {self.path}"}})

    def advance(self, batch):
        """One state on; the work happens when the batch leaves in_progress. Holds state.lock."""
        state = self.server.state
        status = batch["object"]["status"]
        if status in ("completed", "failed", "expired", "cancelled"):
            return
        now = int(time.time())
        if status == "validating" and batch["errors"]:
            batch["object"].update({"status": "failed", "failed_at": now, "errors": {"object": "list", "data": batch["errors"]}})
            return
        batch["step"] += 1
        nxt = STEPS[batch["step"]]
        if nxt == "in_progress":
            batch["object"].update({"status": "in_progress", "in_progress_at": now})
        elif nxt == "finalizing":
            self.run(batch)
            if batch["object"]["status"] != "expired":
                batch["object"].update({"status": "finalizing", "finalizing_at": now})
        elif nxt == "completed":
            batch["object"].update({"status": "completed", "completed_at": now})

    def run(self, batch):
        state = self.server.state
        outputs, errors = [], []
        limit = batch["expire_after"]
        for index, line in enumerate(batch["lines"], 1):
            request_id = f"batch_req_{batch['object']['id']}_{index}"
            if limit is not None and index > limit:
                errors.append({"id": request_id, "custom_id": line.get("custom_id"), "response": None,
                               "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}})
                continue
            state.processed += 1
            if state.args.fail_every and state.processed % state.args.fail_every == 0:
                errors.append({"id": request_id, "custom_id": line.get("custom_id"),
                               "response": {"status_code": 500, "request_id": f"req_{index}",
                                            "body": {"error": {"message": "The server had an error while processing your request.",
                                                               "type": "server_error"}}},
                               "error": None})
                continue
            state.answered += 1
            outputs.append({"id": request_id, "custom_id": line.get("custom_id"),
                            "response": {"status_code": 200, "request_id": f"req_{batch['object']['id']}_{index}",
                                         "body": answer(line.get("body") or {}, index)},
                            "error": None})
        number = len(state.files) + 1
        counts = {"total": len(batch["lines"]), "completed": len(outputs), "failed": len(errors)}
        update = {"request_counts": counts}
        if outputs:
            state.files[f"file-out{number:04d}"] = {"bytes": "".join(json.dumps(o) + "\n" for o in outputs).encode(), "filename": "output.jsonl"}
            update["output_file_id"] = f"file-out{number:04d}"
        if errors:
            state.files[f"file-err{number:04d}"] = {"bytes": "".join(json.dumps(e) + "\n" for e in errors).encode(), "filename": "errors.jsonl"}
            update["error_file_id"] = f"file-err{number:04d}"
        if limit is not None and limit < len(batch["lines"]):
            update.update({"status": "expired", "expired_at": int(time.time())})
        batch["object"].update(update)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--expire-after", type=int, default=None)
    parser.add_argument("--fail-every", type=int, default=0)
    parser.add_argument("--key", default=None)
    args = parser.parse_args()
    serve_until_stdin_closes(args.port, Handler, State(args))


if __name__ == "__main__":
    main()
