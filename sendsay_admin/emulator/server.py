"""A threaded HTTP/1.1 keep-alive server that runs the WSGI app, and `EmulatorServer` for tests.

Stdlib only: `http.server.ThreadingHTTPServer` (daemon threads) with a small WSGI gateway.
TCP_NODELAY is set on every accepted socket: without it each keep-alive request waits ~40 ms
for a delayed ACK (DESIGN.md section 9). A `DropConnection` from the app shuts the socket down
without a reply, which a client sees as a connection error.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import sys
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from .app import make_app
from .errors import DropConnection
from .state import EmulatorState

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SendsayEmulator/1.0"
    disable_nagle_algorithm = True  # StreamRequestHandler sets TCP_NODELAY in setup()
    timeout = 300  # an idle keep-alive connection frees its thread after this

    def do_GET(self) -> None:
        self._run_wsgi()

    def do_POST(self) -> None:
        self._run_wsgi()

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _run_wsgi(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        result: dict = {}

        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            result["status"], result["headers"] = status, headers

        try:
            chunks = self.server.app(self._environ(body), start_response)
            payload = b"".join(chunks)
        except DropConnection:
            self._drop()
            return
        lines = [f"{self.protocol_version} {result['status']}"]
        lines += [f"{name}: {value}" for name, value in result["headers"]]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + payload)  # one write: one segment for small replies

    def _environ(self, body: bytes) -> dict:
        path, _, query = self.path.partition("?")
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": self.server.server_name,
            "SERVER_PORT": str(self.server.server_port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        return environ

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.client_address[0], *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    #: The listen backlog (the stdlib's default is 5): a client opening a few dozen keep-alive
    #: connections at once (two worker processes with 16 calls in flight each) had some
    #: refused, which a real API behind a load balancer does not do.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: object) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is not worth a traceback on stderr."""
        logger.debug("connection from %s failed", client_address, exc_info=True)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.sockets_lock:
            self.open_sockets.add(sock)
        return sock, address

    def shutdown_request(self, request: socket.socket) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self.sockets_lock:
            sockets, self.open_sockets = list(self.open_sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _accounts(accounts: object, tariff: str) -> Iterable[tuple[str, str, str]]:
    """`{"login": "key"}`, `{"login": {"apikey", "tariff"}}` or `[(login, key[, tariff])]`."""
    if isinstance(accounts, Mapping):
        for login, spec in accounts.items():
            if isinstance(spec, Mapping):
                yield login, spec["apikey"], spec.get("tariff", tariff)
            else:
                yield login, str(spec), tariff
    else:
        for login, key, *rest in accounts or ():
            yield login, key, rest[0] if rest else tariff


class EmulatorServer:
    """The emulator in a background thread: `EmulatorServer({"demo": "key"}).start()`."""

    def __init__(
        self,
        accounts: object = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tariff: str = "free",
        redirect_first: str | None = None,
        track_step_seconds: float = 1.0,
        senders: Iterable[str] = (),
    ) -> None:
        self.state = EmulatorState(
            redirect_prefix=redirect_first, track_step_seconds=track_step_seconds
        )
        self.state.preset_senders = [s.lower() for s in senders]
        for login, key, account_tariff in _accounts(accounts, tariff):
            self.state.add_account(login, key, account_tariff)
        self.app = make_app(self.state)
        self.host, self.port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def api_url(self, login: str) -> str:
        return f"{self.url}/general/api/v100/json/{login}"

    def ssec_url(self, login: str) -> str:
        return f"{self.url}/general/ssec/v100/json/{login}"

    def start(self) -> EmulatorServer:
        self._server = _Server((self.host, self.port), self.app)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sendsay-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_open_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Run in the calling thread (the CLI)."""
        self._server = _Server((self.host, self.port), self.app)
        self.port = self._server.server_address[1]
        self._server.serve_forever(poll_interval=0.2)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
