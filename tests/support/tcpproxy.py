"""A small TCP proxy a test can cut and restore (a database restart, a network cut).

    proxy = TcpProxy("127.0.0.1", 5432).start()
    ... point DATABASE_URL at 127.0.0.1:proxy.port ...
    proxy.cut()      # every open connection is dropped, new ones are refused
    proxy.restore()  # connections are accepted (and forwarded) again
    proxy.stop()

Threads only, no dependencies: one accept thread, two pump threads per
connection. Cutting closes the listening socket too, so a client sees
"connection refused" exactly as during a PostgreSQL restart.
"""

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.port = 0
        self.connections = 0  # accepted and forwarded, in all
        self.upstream_ports: set[int] = set()  # local ports of the connections to the target
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener: socket.socket | None = None
        self._stopped = False

    # --- control -------------------------------------------------------------

    def start(self) -> "TcpProxy":
        self._listen()
        return self

    def cut(self) -> None:
        """Drop every connection and refuse new ones until restore()."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, set()
        if listener is not None:
            _close(listener)
        for client, upstream in pairs:
            _close(client)
            _close(upstream)

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self._stopped = True
        self.cut()

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    # --- plumbing ------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.listen_host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut or stopped
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._pairs.add((client, upstream))
                self.connections += 1
                self.upstream_ports.add(upstream.getsockname()[1])
            pair = (client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, pair), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pair) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._pairs.discard(pair)
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
