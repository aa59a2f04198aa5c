"""Faults to inject in tests and benchmarks (bench/handoff_faults.py uses them too)."""

import socket
import threading


class FreezableProxy:
    """A TCP proxy to Redis. freeze() stops it reading from any socket, as SIGSTOP stops
    Redis: the kernel still completes new connections (listen backlog) and buffers what
    clients send, and nobody answers. thaw() carries on where it stopped."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.running = threading.Event()
        self.running.set()
        self.server = socket.create_server(("127.0.0.1", 0), backlog=512)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self.running.clear()

    def thaw(self) -> None:
        self.running.set()

    def close(self) -> None:
        self.running.set()
        self.server.close()

    def _accept(self) -> None:
        while True:
            self.running.wait()
            try:
                client, _ = self.server.accept()
                upstream = socket.create_connection(self.upstream)
            except OSError:
                return  # closed
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                self.running.wait()
                data = src.recv(65536)
                if not data:
                    break
                self.running.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
