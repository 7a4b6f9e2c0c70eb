"""A partner's webhook receiver for the tests: a real HTTP server on 127.0.0.1, in a thread."""

import http.server
import socket
import threading

import pytest


class Receiver:
    """Records every request; answers the next of ``statuses`` (then 200) with ``body`` (and ``location`` for 3xx)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.body = b"ok"
        self.location = ""
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("location", receiver.location)
                self.send_header("content-length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/factcheck"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


class TricklingServer:
    """A partner that answers slowly: a status line, then one header line every ``every`` seconds.

    Each socket read gets something well within any timeout, so only a deadline for the
    whole request stops a sender waiting for it. Bounded: ``lines`` lines per request.
    """

    def __init__(self, every: float = 0.3, lines: int = 20):
        self.every, self.lines = every, lines
        self.requests = 0
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            with conn:
                self.requests += 1
                conn.recv(65536)
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    for n in range(self.lines):
                        if self.stop.wait(self.every):
                            break
                        conn.sendall(f"x-wait-{n}: still here\r\n".encode())
                    conn.sendall(b"content-length: 2\r\n\r\nok")
                except OSError:
                    pass  # the sender gave up

    def close(self):
        self.stop.set()
        self.thread.join(timeout=10)
        self.listener.close()


@pytest.fixture
def trickling_server():
    server = TricklingServer()
    yield server
    server.close()
