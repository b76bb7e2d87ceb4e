"""The HTTP server the fake APIs run on: threads, 127.0.0.1 only, and quiet when a client hangs up.

A client that gives up on purpose (a test cancelling a call, a benchmark stopping a run, or a
request the server itself drops) is not an error worth a traceback on stderr.
"""

import sys
import threading
from http.server import ThreadingHTTPServer

HANG_UPS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class LoopbackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # read by listen() in the constructor: a later assignment would change nothing

    def __init__(self, port, handler):
        super().__init__(("127.0.0.1", port), handler)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], HANG_UPS):
            return
        super().handle_error(request, client_address)


def serve_until_stdin_closes(port, handler, state):
    """Serves `handler` on 127.0.0.1:`port` (0: any free port), prints the port as the first stdout
    line, and stops when stdin closes: the test that started us is done, or died."""
    server = LoopbackHTTPServer(port, handler)
    server.state = state
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()
