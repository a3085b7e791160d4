"""A lean WebSocket receiver for the fan-out benchmark: many sockets in one epoll loop, in a child
process, reading frames by hand and stamping each `message.posted` event with CLOCK_MONOTONIC the
moment its bytes arrive. A general client library spends tens of microseconds per frame in Python,
so with a thousand sockets its own queue would dominate what is being measured; this one costs a
few microseconds per frame. Stamps share a clock with the parent (time.monotonic), so the poster
in the parent can take the send time."""
import base64
import multiprocessing
import os
import re
import selectors
import socket
import time

MESSAGE_ID = re.compile(rb'"message_id":"([0-9A-Fa-f-]{36})"')


def open_socket(port, path, token):
    """Connects and completes the upgrade; returns the socket and any bytes read past the headers."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed during the upgrade")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.decode(errors="replace"))
    return sock, rest


def frames(buffer):
    """Complete server frames (unmasked) at the start of `buffer`: (payloads, bytes left over)."""
    payloads = []
    at = 0
    while len(buffer) - at >= 2:
        length = buffer[at + 1] & 0x7F
        header = 2
        if length == 126:
            if len(buffer) - at < 4:
                break
            length, header = int.from_bytes(buffer[at + 2:at + 4], "big"), 4
        elif length == 127:
            if len(buffer) - at < 10:
                break
            length, header = int.from_bytes(buffer[at + 2:at + 10], "big"), 10
        if len(buffer) - at < header + length:
            break
        payloads.append(buffer[at + header:at + header + length])
        at += header + length
    return payloads, buffer[at:]


def receive(sockets, leftovers, expected, ready, results, timeout):
    """Child process: waits for every socket's hello, says ready, then stamps posted messages."""
    selector = selectors.DefaultSelector()
    buffers = {}
    greeted = set()
    for n, sock in enumerate(sockets):
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, n)
        buffers[n] = leftovers[n]
    stamps = {}
    count = 0
    deadline = time.monotonic() + timeout

    def consume(n):
        nonlocal count
        payloads, buffers[n] = frames(buffers[n])
        for payload in payloads:
            if n not in greeted and b'"hello"' in payload:
                greeted.add(n)
                if len(greeted) == len(sockets):
                    ready.set()
            elif b'"message.posted"' in payload:
                found = MESSAGE_ID.search(payload)
                if found:
                    stamps.setdefault(found.group(1).decode().upper(), []).append(now)
                    count += 1

    now = time.monotonic()
    for n in buffers:
        consume(n)
    while count < expected and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            now = time.monotonic()
            chunk = key.fileobj.recv(1 << 20)
            if not chunk:
                selector.unregister(key.fileobj)
                continue
            buffers[key.data] += chunk
            consume(key.data)
    results.send(stamps)


def listen(port, path, tokens, expected, timeout=120):
    """Opens one socket per token and starts the receiver. Returns (wait_ready, collect):
    `wait_ready()` blocks until every socket has its hello; `collect()` returns
    {message id: [arrival stamps]} once `expected` deliveries arrived or the timeout passed."""
    opened = [open_socket(port, path, token) for token in tokens]
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    mine, theirs = context.Pipe(duplex=False)
    child = context.Process(target=receive, args=([s for s, _ in opened], [rest for _, rest in opened], expected, ready, theirs, timeout))
    child.start()
    for sock, _ in opened:
        sock.close()  # the child holds its own copies

    def wait_ready():
        if not ready.wait(120):
            raise RuntimeError("not every socket said hello")

    def collect():
        stamps = mine.recv()
        child.join()
        return stamps
    return wait_ready, collect
