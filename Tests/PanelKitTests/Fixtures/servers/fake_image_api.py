#!/usr/bin/env python3
"""A loopback stand-in for the OpenAI images API and Gemini's generateContent image output.

Binds 127.0.0.1 on an ephemeral port, prints the port as its first stdout line, and exits
when its stdin closes (processes started by Foundation.Process may ignore signals).

Endpoints
  POST /v1/images/generations                  OpenAI JSON; response_format "url" gets a link
  POST /v1/images/edits                        OpenAI multipart with image[] parts
  POST /v1beta/models/{model}:generateContent  Gemini, key in x-goog-api-key
  GET  /files/{name}.png                       the image behind an OpenAI url answer
  GET  /count                                  {"total": n, "by_path": {...}}: every request but /count and /requests
  GET  /requests                               what each API request carried (no credentials)

--script takes a JSON array; each API request (POST) takes the next step, and once the
script is used up every request succeeds. A step is an object with any of:
  "status": 429 | 500 | 401 | ...   answer with that status and the provider's error shape
  "retry_after": "2"                send Retry-After with it
  "refusal": true                    OpenAI 400 content_policy_violation; Gemini blockReason SAFETY
  "delay": 1.5                       wait this many seconds before answering
  "drop": true                       close the connection without an answer
--key KEY makes every other key a 401 (the message quotes the key received, as careless
servers do, so redaction has something to catch).
"""

import argparse
import base64
import json
import os
import re
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler

from loopback_http import LoopbackHTTPServer


def tiny_png(width=4, height=4):
    """A valid RGB PNG, one colour."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xd0\x60\x30" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PNG = tiny_png()
GEMINI_PATH = re.compile(r"^/v1beta/models/([^/:]+):generateContent$")


class State:
    def __init__(self, script, key):
        self.lock = threading.Lock()
        self.script = list(script)
        self.key = key
        self.total = 0
        self.by_path = {}
        self.requests = []

    def next_step(self):
        with self.lock:
            return self.script.pop(0) if self.script else {}

    def count(self, path):
        with self.lock:
            self.total += 1
            self.by_path[path] = self.by_path.get(path, 0) + 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeImageAPI/1"

    def log_message(self, *args):
        pass

    def send_json(self, status, value, headers=()):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", "req_fake_%d" % self.server.state.total)
        for name, val in headers:
            self.send_header(name, val)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        state = self.server.state
        path = self.path.split("?")[0]
        if path == "/count":
            with state.lock:
                return self.send_json(200, {"total": state.total, "by_path": state.by_path})
        if path == "/requests":
            with state.lock:
                return self.send_json(200, state.requests)
        state.count(path)
        if path.startswith("/files/") and path.endswith(".png"):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)
            return
        self.send_json(404, {"error": {"message": "no such path: " + path}})

    def do_POST(self):
        state = self.server.state
        path = self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        state.count(path)
        gemini = GEMINI_PATH.match(path)
        if path not in ("/v1/images/generations", "/v1/images/edits") and not gemini:
            return self.send_json(404, {"error": {"message": "no such path: " + path}})

        if gemini:
            key = self.headers.get("x-goog-api-key", "")
        else:
            key = re.sub(r"^Bearer\s+", "", self.headers.get("Authorization", ""))
        content_type = self.headers.get("Content-Type", "")
        summary = {"method": "POST", "path": path, "has_key": bool(key), "content_type": content_type.split(";")[0],
                   "image_parts": body.count(b'name="image[]"'), "bytes": len(body)}
        fields = {}
        if content_type.startswith("application/json"):
            try:
                fields = json.loads(body)
            except ValueError:
                return self.send_json(400, {"error": {"message": "body is not JSON", "code": "invalid_json"}})
        if gemini:
            parts = fields.get("contents", [{}])[0].get("parts", [])
            summary["inline_parts"] = sum(1 for part in parts if "inline_data" in part or "inlineData" in part)
        elif "n" in fields:
            summary["n"] = fields["n"]
        with state.lock:
            state.requests.append(summary)

        step = state.next_step()
        if step.get("delay"):
            time.sleep(float(step["delay"]))
        if step.get("drop"):
            self.close_connection = True
            return
        status = step.get("status", 200)
        if not key or (state.key is not None and key != state.key):
            status = 401
        headers = [("Retry-After", str(step["retry_after"]))] if "retry_after" in step else []

        if gemini:
            self.answer_gemini(status, step, key, gemini.group(1), headers)
        else:
            self.answer_openai(status, step, key, fields, headers)

    def answer_openai(self, status, step, key, fields, headers):
        if step.get("refusal"):
            return self.send_json(400, {"error": {
                "message": "Your request was rejected as a result of our safety system.",
                "type": "invalid_request_error", "param": None, "code": "content_policy_violation"}})
        if status == 401:
            return self.send_json(401, {"error": {
                "message": "Incorrect API key provided: %s." % key, "type": "invalid_request_error",
                "param": None, "code": "invalid_api_key"}})
        if status != 200:
            kinds = {429: ("Rate limit reached for images per minute.", "rate_limit_exceeded"),
                     500: ("The server had an error while processing your request.", "server_error")}
            message, code = kinds.get(status, ("Error %d" % status, "error"))
            return self.send_json(status, {"error": {"message": message, "type": code, "param": None, "code": code}},
                                  headers)
        # `n` images per request (1 to 10, default 1), as the images API documents.
        items = []
        for index in range(int(fields.get("n", 1) or 1) if fields else 1):
            item = {"revised_prompt": fields.get("prompt", "")[:60]} if fields else {}
            if fields.get("response_format") == "url":
                host, port = self.server.server_address[:2]
                item["url"] = "http://%s:%d/files/image-%d-%d.png?sig=fake-signature" % (host, port, self.server.state.total, index)
            else:
                item["b64_json"] = base64.b64encode(PNG).decode()
            items.append(item)
        self.send_json(200, {"created": int(time.time()), "data": items,
                             "usage": {"input_tokens": 50, "output_tokens": 272, "total_tokens": 322}})

    def answer_gemini(self, status, step, key, model, headers):
        if step.get("refusal"):
            return self.send_json(200, {
                "promptFeedback": {"blockReason": "SAFETY"},
                "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
                "modelVersion": model, "responseId": "fake-blocked"})
        if status == 401:
            return self.send_json(400, {"error": {
                "code": 400, "message": "API key not valid (%s). Please pass a valid API key." % key,
                "status": "INVALID_ARGUMENT",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                             "domain": "googleapis.com"}]}})
        if status != 200:
            kinds = {429: ("Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED"),
                     500: ("An internal error has occurred.", "INTERNAL")}
            message, code = kinds.get(status, ("Error %d" % status, "UNKNOWN"))
            return self.send_json(status, {"error": {"code": status, "message": message, "status": code}}, headers)
        self.send_json(200, {
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "Here is the panel."},
                {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(PNG).decode()}}]},
                "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 1290, "totalTokenCount": 1330},
            "modelVersion": model, "responseId": "fake-%d" % self.server.state.total})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", default="[]", help="JSON array of steps, one per API request")
    parser.add_argument("--key", default=None, help="the only key accepted (default: any non-empty key)")
    args = parser.parse_args()

    server = LoopbackHTTPServer(0, Handler)
    server.state = State(json.loads(args.script), args.key)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.buffer.read()  # returns when the parent closes our stdin (or dies)
    os._exit(0)


if __name__ == "__main__":
    main()
