"""RESP encoding and a reply parser that keeps the raw bytes of every reply.

Requests are always sent as RESP multibulk (`*N\r\n$len\r\narg\r\n...`). Replies are parsed
for RESP2 and RESP3 alike; every Reply keeps the exact bytes it was parsed from (`raw`), which
is what the tester compares unless normalize.py says otherwise.
"""

import socket
import time


def encode(args):
    """Encodes one command (a list of bytes/str) as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("latin-1")
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Reply:
    """One parsed reply. kind is the RESP type byte as a str ('+', '-', ':', '$', '*', '_',
    ',', '#', '!', '=', '(', '%', '~', '>'); value is bytes for strings, int for integers,
    None for nulls, a list of Reply for aggregates (maps as a flat key, value, ... list)."""

    __slots__ = ("kind", "value", "raw", "attrs")

    def __init__(self, kind, value, raw, attrs=None):
        self.kind = kind
        self.value = value
        self.raw = raw
        self.attrs = attrs

    def is_error(self):
        return self.kind in ("-", "!")

    def is_null(self):
        return self.kind == "_" or (self.kind in ("$", "*") and self.value is None)

    def text(self):
        """The string payload (bytes) of a simple/bulk/verbatim/error reply."""
        if self.kind == "=" and self.value is not None:
            return self.value[4:]  # drop "txt:"
        return self.value

    def __repr__(self):
        return "Reply(%r)" % self.raw


class Special(Reply):
    """A pseudo reply: the connection closed, timed out or sent a protocol violation.
    raw holds whatever bytes arrived before that."""

    def __init__(self, what, raw):
        super().__init__("?", what, raw)

    def __repr__(self):
        return "<%s after %r>" % (self.value, self.raw)


class Incomplete(Exception):
    pass


class ProtocolViolation(Exception):
    pass


def _line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def parse(buf, pos=0):
    """Parses one reply from buf at pos. Returns (Reply, next_pos); raises Incomplete."""
    start = pos
    if pos >= len(buf):
        raise Incomplete()
    kind = chr(buf[pos])
    if kind == "|":  # RESP3 attribute: a map that precedes the real reply
        line, pos = _line(buf, pos + 1)
        attrs = []
        for _ in range(2 * int(line)):
            r, pos = parse(buf, pos)
            attrs.append(r)
        r, pos = parse(buf, pos)
        return Reply(r.kind, r.value, buf[start:pos], attrs), pos
    line, pos = _line(buf, pos + 1)
    if kind in "+-":
        return Reply(kind, line, buf[start:pos]), pos
    if kind in ":(":
        try:
            return Reply(kind, int(line), buf[start:pos]), pos
        except ValueError:
            raise ProtocolViolation("bad integer %r" % line)
    if kind == ",":
        return Reply(kind, line, buf[start:pos]), pos
    if kind == "#":
        if line not in (b"t", b"f"):
            raise ProtocolViolation("bad boolean %r" % line)
        return Reply(kind, line == b"t", buf[start:pos]), pos
    if kind == "_":
        if line != b"":
            raise ProtocolViolation("bad null %r" % line)
        return Reply(kind, None, buf[start:pos]), pos
    if kind in "$!=":
        try:
            n = int(line)
        except ValueError:
            raise ProtocolViolation("bad length %r" % line)
        if n < 0:
            if kind == "$" and n == -1:
                return Reply(kind, None, buf[start:pos]), pos
            raise ProtocolViolation("bad length %r" % line)
        if len(buf) < pos + n + 2:
            raise Incomplete()
        if buf[pos + n:pos + n + 2] != b"\r\n":
            raise ProtocolViolation("bulk not followed by CRLF")
        return Reply(kind, buf[pos:pos + n], buf[start:pos + n + 2]), pos + n + 2
    if kind in "*%~>":
        try:
            n = int(line)
        except ValueError:
            raise ProtocolViolation("bad length %r" % line)
        if n < 0:
            if kind == "*" and n == -1:
                return Reply(kind, None, buf[start:pos]), pos
            raise ProtocolViolation("bad length %r" % line)
        items = []
        for _ in range(2 * n if kind == "%" else n):
            r, pos = parse(buf, pos)
            items.append(r)
        return Reply(kind, items, buf[start:pos]), pos
    raise ProtocolViolation("unknown type byte %r" % kind)


class Conn:
    """A blocking connection with its own receive buffer."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed = False

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def read_reply(self, timeout=None):
        """Returns the next Reply, or a Special ('closed', 'timeout', 'protocol: ...')."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if self.buf:
                try:
                    r, pos = parse(self.buf)
                    self.buf = self.buf[pos:]
                    return r
                except Incomplete:
                    pass
                except ProtocolViolation as e:
                    raw, self.buf = self.buf, b""
                    return Special("protocol violation: %s" % e, raw)
            if self.closed:
                raw, self.buf = self.buf, b""
                return Special("connection closed", raw)
            left = deadline - time.monotonic()
            if left <= 0:
                raw, self.buf = self.buf, b""
                return Special("timeout", raw)
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except OSError:
                data = b""
            if not data:
                self.closed = True
            else:
                self.buf += data

    def drain(self, wait=0.05):
        """Whatever arrives within `wait` seconds (bytes), e.g. garbage after a bad reply."""
        out, self.buf = self.buf, b""
        if self.closed:
            return out
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                return out
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return out
            out += data

    def call(self, args, timeout=None):
        self.send(encode(args))
        return self.read_reply(timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True
