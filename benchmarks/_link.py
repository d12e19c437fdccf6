"""TCP proxies that make a loopback server behave like one across a network link.

ThrottledLink: S3 is reached over a network whose bandwidth, not the server, bounds an upload; moto
on loopback takes a dump as fast as the CPU can send it. Requests (client to server) share one
token bucket of ``rate`` bytes per second across connections, as they would share a link;
responses pass freely.

DelayedLink: a Kubernetes API server is reached over a network with a round-trip time; on loopback
a TLS handshake and a request cost next to nothing, which flatters every tool that opens many
connections or sends requests one after another. Each direction delivers each chunk half the
round-trip time after it was read, without limiting bandwidth.
"""

import queue
import socket
import threading
import time

CHUNK = 64 * 1024


class Link:
    """Accepts on a loopback port and carries each connection to the target, both ways."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
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
            for end in (client, server):
                # Clients send without Nagle's algorithm; the proxy must not hold small writes back either.
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source, sink, upstream):
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                self.carry(data, sink, upstream)
        except OSError:
            pass
        finally:
            self.finish(sink, upstream)
            for end in (source, sink):
                close(end)

    def carry(self, data, sink, upstream):
        sink.sendall(data)

    def finish(self, sink, upstream):
        """The source closed: everything read so far has been handed on."""


class ThrottledLink(Link):
    def __init__(self, target_host, target_port, rate):
        self.rate = float(rate)
        self.lock = threading.Lock()
        self.next_free = time.monotonic()
        super().__init__(target_host, target_port)

    def carry(self, data, sink, upstream):
        if upstream:
            self._wait_for_link(len(data))
        sink.sendall(data)

    def _wait_for_link(self, size):
        with self.lock:
            finish = max(time.monotonic(), self.next_free) + size / self.rate
            self.next_free = finish
        delay = finish - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class DelayedLink(Link):
    def __init__(self, target_host, target_port, round_trip_seconds):
        self.one_way = round_trip_seconds / 2.0
        self.lanes = {}
        super().__init__(target_host, target_port)

    def carry(self, data, sink, upstream):
        lane = self.lanes.get(sink)
        if lane is None:
            lane = self.lanes[sink] = queue.Queue()
            lane.done = threading.Event()
            threading.Thread(target=self._deliver, args=(lane, sink), daemon=True).start()
        lane.put((time.monotonic() + self.one_way, data))

    def finish(self, sink, upstream):
        lane = self.lanes.pop(sink, None)
        if lane is not None:
            lane.put((None, None))
            lane.done.wait(self.one_way + 5)

    @staticmethod
    def _deliver(lane, sink):
        """Send each chunk of one direction when it is due, in order."""
        while True:
            due, data = lane.get()
            if data is None:
                break
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                sink.sendall(data)
            except OSError:
                break
        lane.done.set()


def close(end):
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
