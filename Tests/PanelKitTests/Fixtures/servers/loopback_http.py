"""The HTTP server both fake APIs run on: threads, 127.0.0.1 only, and quiet when a client hangs up.

A client that gives up on purpose (a test cancelling a call, a benchmark stopping a run, or a
request the server itself drops) is not an error worth a traceback on stderr.
"""

import sys
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
