#!/usr/bin/env python3
"""Checks panelproc's HTML gallery in a real browser (headless Chromium, DevTools protocol).

For each page given: every <img> loaded (complete, naturalWidth > 0); no request went anywhere
but file:// or data: (every request the page made is recorded); no script from the writer's text
ran (planted payloads set document.body.dataset.pwned, window.__pwned or the title to PWNED) and no
Content-Security-Policy violation happened (a violation means markup from the text reached the
page unescaped); every href/src is relative. Saves a screenshot (light, and dark with
--dark). Exits 1 on any failure, printing each.

Chromium's DevTools endpoint is bound to 127.0.0.1 on a free port (checked), with a throwaway
profile; host names do not resolve, so nothing can leave the machine even if a page asked.

    check_gallery.py --screenshots DIR [--expect-text PAGE=TEXT ...] [--dark] PAGE.html ...
"""
import argparse, base64, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

class WebSocket:
    """The client half of RFC 6455, enough for the DevTools protocol (text frames, no extensions)."""

    def __init__(self, url):
        match = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            raise SystemExit(f"check-gallery: DevTools is not on loopback: {url}")
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SystemExit("check-gallery: DevTools closed the connection during the handshake")
            response += chunk
        if b" 101 " not in response.split(b"\r\n", 1)[0]:
            raise SystemExit(f"check-gallery: DevTools refused the WebSocket: {response[:200]!r}")
        self.buffer = response.split(b"\r\n\r\n", 1)[1]

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + len(payload).to_bytes(8, "big")
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise SystemExit("check-gallery: DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(self._read(2), "big")
            elif length == 127:
                length = int.from_bytes(self._read(8), "big")
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 8:
                raise SystemExit("check-gallery: DevTools closed the WebSocket")
            if opcode in (0, 1, 2):
                message += payload
                if first & 0x80:
                    return message.decode()


class DevTools:
    def __init__(self, url):
        self.ws = WebSocket(url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise SystemExit(f"check-gallery: {method} failed: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        self.ws.sock.settimeout(timeout)
        for index, event in enumerate(self.events):
            if event["method"] == method:
                del self.events[index]
                return event
        while time.time() < deadline:
            message = json.loads(self.ws.receive())
            if message.get("method") == method:
                return message
            if "method" in message:
                self.events.append(message)
        raise SystemExit(f"check-gallery: timed out waiting for {method}")


def start_chromium(profile):
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not binary:
        raise SystemExit("check-gallery: chromium is not installed (scripts/setup.sh installs it)")
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pings",
         "--disable-extensions", "--disable-default-apps", "--metrics-recording-only",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", "--window-size=1280,2000", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = process.stderr.readline()
        if not line:
            if process.poll() is not None:
                raise SystemExit("check-gallery: chromium exited before DevTools started")
            continue
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            # Keep draining stderr (D-Bus chatter) so chromium never blocks on a full pipe.
            subprocess.Popen(["cat"], stdin=process.stderr, stdout=subprocess.DEVNULL)
            return process, match.group(1)
    process.kill()
    raise SystemExit("check-gallery: chromium did not start DevTools within 30 s")


PROBE = r"""
(() => {
  const attr = (sel, name) => [...document.querySelectorAll(sel)].map(e => e.getAttribute(name));
  return JSON.stringify({
    title: document.title,
    pwned: document.body ? (document.body.dataset.pwned || null) : null,
    windowPwned: window.__pwned || null,
    csp: window.__cspViolations || [],
    images: [...document.images].map(i => ({src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth})),
    links: attr('[href]', 'href').concat(attr('[src]', 'src')),
    text: document.body ? document.body.innerText : '',
    cards: document.querySelectorAll('article.card').length,
    placeholders: document.querySelectorAll('.placeholder').length,
  });
})()
"""

CSP_LISTENER = ("window.__cspViolations=[];document.addEventListener('securitypolicyviolation',"
                "function(e){window.__cspViolations.push(e.violatedDirective+' '+e.blockedURI);});")


def check_page(tools, path, screenshots, expect_text, dark, base):
    failures = []
    url = "file://" + os.path.abspath(path)
    tools.events.clear()
    tools.call("Page.navigate", url=url)
    tools.wait_for("Page.loadEventFired")
    time.sleep(0.3)  # late requests and handlers
    result = json.loads(tools.call("Runtime.evaluate", expression=PROBE, returnByValue=True)["result"]["value"])
    requests = [e["params"]["request"]["url"] for e in tools.events if e["method"] == "Network.requestWillBeSent"]
    tools.call("Runtime.evaluate", expression="0")  # flush events that arrived meanwhile
    requests += [e["params"]["request"]["url"] for e in tools.events if e["method"] == "Network.requestWillBeSent"
                 and e["params"]["request"]["url"] not in requests]
    for request in requests:
        if not (request.startswith("file://") or request.startswith("data:") or request == "about:blank"):
            failures.append(f"a request left the page's folder: {request}")
    for image in result["images"]:
        if not image["complete"] or image["width"] == 0:
            failures.append(f"image did not load: {image['src']}")
    if result["pwned"] or result["windowPwned"] or result["title"] == "PWNED":
        failures.append(f"a script from the writer's text ran (pwned={result['pwned'] or result['windowPwned']}, title={result['title']!r})")
    for violation in result["csp"]:
        failures.append(f"Content-Security-Policy violation (unescaped markup or an outside resource): {violation}")
    for link in result["links"]:
        if link is not None and (re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) or link.startswith("//") or link.startswith("/")):
            failures.append(f"not a relative link: {link}")
    for text in expect_text.get(os.path.abspath(path), []):
        if text not in result["text"]:
            failures.append(f"expected text not shown: {text!r}")

    name = os.path.relpath(os.path.abspath(path), base).replace("/", "_")
    shots = [("light", "light")] + ([("dark", "dark")] if dark else [])
    for scheme, suffix in shots:
        tools.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": scheme}])
        time.sleep(0.1)
        data = tools.call("Page.captureScreenshot", format="png")["data"]
        target = os.path.join(screenshots, f"{os.path.splitext(name)[0]}-{suffix}.png")
        with open(target, "wb") as out:
            out.write(base64.b64decode(data))
    tools.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "light"}])
    summary = f"{len(result['images'])} images, {result['cards']} cards, {result['placeholders']} placeholders, {len(requests)} requests"
    return failures, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--expect-text", action="append", default=[], metavar="PAGE=TEXT")
    parser.add_argument("--dark", action="store_true", help="also a screenshot with prefers-color-scheme: dark")
    args = parser.parse_args()
    expect = {}
    for item in args.expect_text:
        page, text = item.split("=", 1)
        expect.setdefault(os.path.abspath(page), []).append(text)
    os.makedirs(args.screenshots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="check-gallery-profile-")
    process, browser_url = start_chromium(profile)
    try:
        port = int(re.match(r"ws://127\.0\.0\.1:(\d+)/", browser_url).group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            targets = json.load(response)
        page = next(t for t in targets if t["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.call("Page.enable")
        tools.call("Network.enable")
        tools.call("Runtime.enable")
        tools.call("Emulation.setDeviceMetricsOverride", width=1280, height=2000, deviceScaleFactor=1, mobile=False)
        tools.call("Page.addScriptToEvaluateOnNewDocument", source=CSP_LISTENER)
        failed = False
        base = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in args.pages])
        for path in args.pages:
            failures, summary = check_page(tools, path, args.screenshots, expect, args.dark, base)
            print(f"{'FAIL' if failures else 'ok  '} {path}: {summary}")
            for failure in failures:
                print(f"     {failure}")
            failed = failed or bool(failures)
        return 1 if failed else 0
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
