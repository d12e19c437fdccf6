"""A TCP proxy that carries uploads at a fixed rate, so a loopback server behaves like one across a network link.

S3 is reached over a network whose bandwidth, not the server, bounds an upload; moto on loopback
takes a dump as fast as the CPU can send it. Requests (client to server) share one token bucket of
``rate`` bytes per second across connections, as they would share a link; responses pass freely.
"""

import socket
import threading
import time

CHUNK = 64 * 1024


class ThrottledLink:
    def __init__(self, target_host, target_port, rate):
        self.target = (target_host, target_port)
        self.rate = float(rate)
        self.lock = threading.Lock()
        self.next_free = time.monotonic()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def _accept(self):
        while True:
            client, _address = self.listener.accept()
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source, sink, throttled):
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                if throttled:
                    self._wait_for_link(len(data))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _wait_for_link(self, size):
        with self.lock:
            finish = max(time.monotonic(), self.next_free) + size / self.rate
            self.next_free = finish
        delay = finish - time.monotonic()
        if delay > 0:
            time.sleep(delay)
