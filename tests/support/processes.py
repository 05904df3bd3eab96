"""Extra processes a fault test starts and stops itself: a redis-server of its
own on a spare port, and a gunicorn serving the app. Each is stopped by its
own process id (and process group), never by name; the machine's shared
PostgreSQL and Redis are never touched.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.support.services import spawn, stop_process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early: {Path(proc.log_path).read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout}s")


class RedisServer:
    """Our own redis-server on a spare port: start, kill (SIGKILL, like a crash), start again."""

    binary = shutil.which("redis-server")

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
        ]  # fmt: skip
        self.proc = spawn(args, self.workdir / "redis.log")
        _wait_for_port(self.port, self.proc, "redis-server")
        return self

    def kill(self) -> None:
        """Crash it: SIGKILL, nothing saved (the queue is lost, like a real outage)."""
        if self.proc is not None:
            stop_process(self.proc, sig=signal.SIGKILL)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class WebServer:
    """gunicorn serving crm_site on a spare port, with the environment given."""

    def __init__(self, workdir: Path, env: dict, workers: int = 2):
        self.workdir = workdir
        self.port = free_port()
        self.env = os.environ.copy() | {"PYTHONUNBUFFERED": "1"} | env
        self.workers = workers
        self.proc = None

    def start(self) -> "WebServer":
        args = [
            sys.executable, "-m", "gunicorn", "crm_site.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--timeout", "60",
            "--graceful-timeout", "5",
        ]  # fmt: skip
        self.proc = spawn(args, self.workdir / "gunicorn.log", self.env)
        _wait_for_port(self.port, self.proc, "gunicorn", timeout=60)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def request(
        self, method: str, path: str, *, cookies: dict, data: dict | None = None, timeout=30
    ) -> tuple[int, str, str]:
        """(status, Location header, body) of one request; no redirects followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return (
                response.status,
                response.getheader("Location", ""),
                response.read().decode("utf-8", "replace"),
            )
        finally:
            connection.close()
