#!/usr/bin/env python3
"""Differential checks of src/util/glob.cc and src/resp/parser.cc against a real redis-server.

Run by hand (not part of `make test`): python3 fuzz/redis_diff.py [--rounds N] [--seed S]

It starts `redis-server --port 0 --unixsocket <tmp>/redis.sock --save ''` in a temp dir,
builds a small CLI around our GlobMatch with g++, and compares:
  1. KEYS <pattern> (case-sensitive stringmatchlen) for random keys and patterns over an
     alphabet rich in special characters, plus high bytes and NUL;
  2. FUNCTION LIST LIBRARYNAME <pattern> (stringmatchlen with nocase=1) for random library
     names, the only nocase use in Redis 7.0 that matches user-chosen strings;
  3. raw protocol probes: the replies and connection closes our parser tests assume;
  4. random streams of ECHO/PING requests (multibulk and inline, quoted or not, empty ones)
     with random corruptions: Redis's replies must be the ones our parser's events predict.
Exits non-zero on any difference.
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CLI_SRC = r'''
#include <iostream>
#include <string>
#include "resp/parser.h"
#include "util/glob.h"
static std::string Unhex(const std::string& h) {
  std::string s;
  if (h == "-") return s;
  for (size_t i = 0; i + 1 < h.size(); i += 2) s.push_back((char)std::stoi(h.substr(i, 2), nullptr, 16));
  return s;
}
static std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) { out.push_back(d[c >> 4]); out.push_back(d[c & 15]); }
  return out.empty() ? "-" : out;
}
// "g <pattern> <string> <nocase>" -> 0/1; "p <stream>" -> one line per parse event, then "end".
int main() {
  std::string op;
  while (std::cin >> op) {
    if (op == "g") {
      std::string p, s;
      int nocase;
      std::cin >> p >> s >> nocase;
      std::cout << strata::GlobMatch(Unhex(p), Unhex(s), nocase) << '\n';
      continue;
    }
    std::string h;
    std::cin >> h;
    std::string buf = Unhex(h);
    strata::resp::Parser parser;
    using R = strata::resp::Parser::Result;
    while (!buf.empty()) {
      R r = parser.Parse(buf);
      if (r == R::kIncomplete) break;
      if (r == R::kError) {
        std::cout << "error " << parser.close_silently() << ' ' << Hex(parser.error()) << '\n';
        break;
      }
      if (r == R::kOk) {
        std::cout << "ok";
        for (auto a : parser.args()) std::cout << ' ' << Hex(a);
        std::cout << '\n';
      } else {
        std::cout << "empty\n";
      }
      buf.erase(0, parser.consumed());
    }
    std::cout << "end\n";
  }
}
'''


def hexs(b):
    return b.hex() or '-'


class Resp:
    """A minimal RESP2 client over a unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b''

    def send(self, *args):
        out = b'*%d\r\n' % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b'$%d\r\n%s\r\n' % (len(a), a)
        self.sock.sendall(out)

    def _line(self):
        while b'\r\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b'+':
            return rest
        if t == b'-':
            return RuntimeError(rest.decode(errors='replace'))
        if t == b':':
            return int(rest)
        if t == b'$':
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b'*':
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError('unexpected reply %r' % line)

    def call(self, *args):
        self.send(*args)
        r = self.read()
        if isinstance(r, RuntimeError):
            raise r
        return r


class Ours:
    def __init__(self, tmp):
        exe = os.path.join(tmp, 'glob_cli')
        src = os.path.join(tmp, 'glob_cli.cc')
        with open(src, 'w') as f:
            f.write(CLI_SRC)
        subprocess.check_call(['g++', '-std=c++20', '-O2', '-I', os.path.join(ROOT, 'src'), src,
                               os.path.join(ROOT, 'src/util/glob.cc'),
                               os.path.join(ROOT, 'src/resp/parser.cc'), '-o', exe])
        self.exe = exe

    def match_many(self, queries):
        """queries: list of (pattern bytes, string bytes, nocase) -> list of bools."""
        text = ''.join('g %s %s %d\n' % (hexs(p), hexs(s), n) for p, s, n in queries)
        out = subprocess.run([self.exe], input=text.encode(), capture_output=True, check=True)
        return [c == b'1' for c in out.stdout.split()]

    def parse_many(self, streams):
        """streams: list of bytes -> list of event lists: ('ok', [args]) | ('empty',) |
        ('error', silent, text)."""
        text = ''.join('p %s\n' % hexs(st) for st in streams)
        out = subprocess.run([self.exe], input=text.encode(), capture_output=True, check=True)
        results, cur = [], []
        for line in out.stdout.decode().splitlines():
            f = line.split()
            if f[0] == 'end':
                results.append(cur)
                cur = []
            elif f[0] == 'ok':
                cur.append(('ok', [bytes.fromhex(a) if a != '-' else b'' for a in f[1:]]))
            elif f[0] == 'empty':
                cur.append(('empty',))
            else:
                cur.append(('error', f[1] == '1', bytes.fromhex(f[2])))
        return results


def rand_bytes(rng, alphabet, max_len):
    return bytes(rng.choice(alphabet) for _ in range(rng.randint(0, max_len)))


def mutate_into_pattern(rng, key):
    """A pattern made from a key, so that it likely matches it and keys like it."""
    out = b''
    for c in key:
        x = rng.random()
        if x < 0.15:
            out += b'?'
        elif x < 0.3:
            out += b'*'
        elif x < 0.4:
            lo, hi = sorted((c, rng.randrange(256)))
            out += b'[' + (b'^' if rng.random() < 0.3 else b'') + bytes([lo, 0x2d, hi]) + b']'
        elif x < 0.5:
            out += b'\\' + bytes([c])
        else:
            out += bytes([c])
    return out


def glob_keys(r, ours, rng, rounds):
    alphabet = list(b'ab*?[]^-\\') + list(b'abAB') + [0x00, 0x5f, 0x80, 0xff]
    key_alphabet = list(b'ab[]^-\\*?AB_') + [0x00, 0x80, 0xff]
    checked = matched = 0
    for rnd in range(rounds):
        r.call('FLUSHALL')
        keys = {rand_bytes(rng, key_alphabet, 6) for _ in range(300)}
        keys.add(b'')
        for k in keys:
            r.send('SET', k, 1)
        for _ in keys:
            r.read()
        patterns = [rand_bytes(rng, alphabet, 7) for _ in range(1000)]
        patterns += [mutate_into_pattern(rng, k) for k in rng.sample(sorted(keys), 100)
                     for _ in range(5)]
        patterns += [b'*?' * n for n in (999, 1000, 1001)]
        for p in patterns:
            r.send('KEYS', p)
        redis_results = [set(r.read()) for _ in patterns]
        keylist = sorted(keys)
        queries = [(p, k, 0) for p in patterns for k in keylist]
        got = ours.match_many(queries)
        i = 0
        for p, want in zip(patterns, redis_results):
            for k in keylist:
                mine = got[i] or p == b'*'  # KEYS * skips matching (every key, even "")
                i += 1
                checked += 1
                matched += mine
                if mine != (k in want):
                    print('GLOB MISMATCH pattern=%r key=%r redis=%s ours=%s' %
                          (p, k, k in want, mine))
                    return False
    # Deep nesting against long keys (CVE-2024-31228 limit).
    r.call('FLUSHALL')
    for n in (999, 1000, 1001, 1500):
        key = b'a' * n
        r.call('SET', key, 1)
        for pn in (n - 1, n, n + 1):
            p = b'*?' * pn
            want = key in set(r.call('KEYS', p))
            mine = ours.match_many([(p, key, 0)])[0]
            checked += 1
            if mine != want:
                print('NESTING MISMATCH n=%d pattern=*?x%d redis=%s ours=%s' % (n, pn, want, mine))
                return False
        r.call('DEL', key)
    print('glob (KEYS): %d pattern/key pairs agree (%d matches)' % (checked, matched))
    return True


def glob_nocase(r, ours, rng, rounds):
    name_alphabet = list(b'aAbBzZ_09')
    pat_alphabet = list(b'aAbBzZ_09*?[]^-\\')
    checked = matched = 0
    for rnd in range(rounds):
        r.call('FUNCTION', 'FLUSH')
        names = {rand_bytes(rng, name_alphabet, 5) for _ in range(60)} - {b''}
        for i, name in enumerate(sorted(names)):
            code = b"#!lua name=%s\nredis.register_function('f%d', function() return 1 end)" % (
                name, i)
            r.call('FUNCTION', 'LOAD', code)
        patterns = [rand_bytes(rng, pat_alphabet, 6) for _ in range(400)]
        patterns += [b'[a-Z]*', b'[A-z]*', b'[\\A]*', b'[Z-a]*', b'[_-a]*']
        names = sorted(names)
        queries = [(p, n, 1) for p in patterns for n in names]
        got = ours.match_many(queries)
        i = 0
        for p in patterns:
            reply = r.call('FUNCTION', 'LIST', 'LIBRARYNAME', p)
            want = set()
            for lib in reply:
                fields = dict(zip(lib[0::2], lib[1::2]))
                want.add(fields[b'library_name'])
            for n in names:
                mine = got[i]
                i += 1
                checked += 1
                matched += mine
                if mine != (n in want):
                    print('NOCASE MISMATCH pattern=%r name=%r redis=%s ours=%s' %
                          (p, n, n in want, mine))
                    return False
    r.call('FUNCTION', 'FLUSH')
    print('glob (nocase, FUNCTION LIST): %d pattern/name pairs agree (%d matches)' %
          (checked, matched))
    return True


def raw_exchange(path, data, wait=0.3):
    """Sends raw bytes; returns (reply bytes, closed by the server)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    try:
        s.sendall(data)
    except BrokenPipeError:
        pass
    s.settimeout(wait)
    got = b''
    closed = False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            got += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    return got, closed


def protocol_probes(path):
    E = b'-ERR Protocol error: '
    probes = [
        # (bytes sent, reply expected, closed expected)
        (b'PING\r\n', b'+PONG\r\n', False),
        (b'\r\n\r\nPING\r\n', b'+PONG\r\n', False),
        (b'PING\n', b'+PONG\r\n', False),
        (b'*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n', b'+PONG\r\n', False),
        (b'*2\rX$4\rYECHOab$1\r\nvcd', b'$1\r\nv\r\n', False),
        (b'ECHO a\x0bb\r\n', b'$3\r\na\x0bb\r\n', False),
        (b'\x0b\x0cECHO a\r\n', b'$1\r\na\r\n', False),
        (b'ECHO a"b c"\r\n', b'$4\r\nab c\r\n', False),
        (b'ECHO "\\x41\\x4" \'it\\\'s\'\r\n', b'-ERR wrong number of arguments for \'echo\' '
         b'command\r\n', False),
        (b'ECHO "\\x41\\x4"\r\n', b'$3\r\nAx4\r\n', False),
        (b'ECHO "a\r"\r\n', b'$2\r\na\r\r\n', False),
        (b'*abc\r\n', E + b'invalid multibulk length\r\n', True),
        (b'*2147483648\r\n', E + b'invalid multibulk length\r\n', True),
        (b'*-0\r\n', E + b'invalid multibulk length\r\n', True),
        (b'*01\r\n', E + b'invalid multibulk length\r\n', True),
        (b'*2147483647\r\n', b'', False),
        (b'*2\r\n$3\r\nGET\r\n$-5\r\n', E + b'invalid bulk length\r\n', True),
        (b'*1\r\n$03\r\nfoo\r\n', E + b'invalid bulk length\r\n', True),
        (b'*1\r\n$536870913\r\n', E + b'invalid bulk length\r\n', True),
        (b'*1\r\n$536870912\r\n', b'', False),
        (b'*2\r\n$3\r\nGET\r\nfoo\r\n', E + b"expected '$', got 'f'\r\n", True),
        (b'*2\r\n$3\r\nGET\r\nfoo', b'', False),
        (b'*1\r\n\r\n', E + b"expected '$', got ' '\r\n", True),
        (b'SET a "b\r\n', E + b'unbalanced quotes in request\r\n', True),
        (b'ECHO "a"b\r\n', E + b'unbalanced quotes in request\r\n', True),
        (b'x' * 70000, E + b'too big inline request\r\n', True),
        (b'*' + b'1' * 70000, E + b'too big mbulk count string\r\n', True),
        (b'*1\r\n$' + b'1' * 70000, E + b'too big bulk count string\r\n', True),
        (b'\x00' + (b'A' * 1024 + b'\n') * 70, E + b'too big inline request\r\n', True),
        (b'*\x00' + (b'A' * 1024 + b'\n') * 70, E + b'too big mbulk count string\r\n', True),
        (b'*1\r\n$\x00' + (b'A' * 1024 + b'\n') * 70, E + b'too big bulk count string\r\n',
         True),
        (b'PING\x00\r\n', b'', False),
        (b'POST / HTTP/1.1\r\n', b'', True),
        (b'*1\r\n$5\r\nhOsT:\r\n', b'', True),
        (b'*1\r\n$6\r\npost\x00x\r\n', b'', True),
        (b'$3\r\nfoo\r\n', b"-ERR unknown command '$3', with args beginning with: \r\n"
         b"-ERR unknown command 'foo', with args beginning with: \r\n", False),
    ]
    ok = True
    for data, want, want_closed in probes:
        got, closed = raw_exchange(path, data)
        if got != want or closed != want_closed:
            ok = False
            print('PROTOCOL MISMATCH sent=%r\n  redis=%r closed=%s\n  expected=%r closed=%s' %
                  (data[:60], got[:200], closed, want, want_closed))
    # The inline limit at its exact edge: 65536 bytes of line wait; one more byte fails.
    for extra, want in ((0, b''), (1, E + b'too big inline request\r\n')):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(b'ECHO ' + b'a' * (65536 - 5 + extra))
        s.settimeout(0.3)
        try:
            got = s.recv(100)
        except socket.timeout:
            got = b''
        if got != want:
            ok = False
            print('INLINE EDGE MISMATCH extra=%d redis=%r' % (extra, got))
        s.close()
    # Unauthenticated limits need requirepass.
    r = Resp(path)
    r.call('CONFIG', 'SET', 'requirepass', 'pw')
    for data, want in ((b'*11\r\n', E + b'unauthenticated multibulk length\r\n'),
                       (b'*2\r\n$4\r\nAUTH\r\n$16385\r\n', E + b'unauthenticated bulk length\r\n'),
                       (b'*2\r\n$4\r\nAUTH\r\n$16384\r\n', b'')):
        got, closed = raw_exchange(path, data)
        if got != want or closed != bool(want):
            ok = False
            print('UNAUTH MISMATCH sent=%r redis=%r closed=%s' % (data, got, closed))
    r.call('AUTH', 'pw')
    r.call('CONFIG', 'SET', 'requirepass', '')
    print('protocol probes: %s (%d probes)' % ('all agree' if ok else 'MISMATCHES', len(probes) + 5))
    return ok


def random_request(rng):
    """One request of a random stream: ECHO/PING as multibulk or inline, or an empty one."""
    arg = rand_bytes(rng, list(b'ab "\'\\x\r\n\t') + [0, 0x0b, 0x41, 0xff], 6)
    kind = rng.randrange(8)
    if kind < 3:
        args = [rng.choice([b'ECHO', b'echo', b'PING'])] + [arg] * rng.randint(0, 2)
        return b'*%d\r\n' % len(args) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a)
                                                 for a in args)
    if kind < 6:
        quoted = b'"' + arg.replace(b'\\', b'\\\\').replace(b'"', b'\\"') + b'"'
        body = rng.choice([b'ECHO ', b'PING ', b'ECHO  ']) + rng.choice([arg, quoted])
        return body + rng.choice([b'\r\n', b'\n'])
    return rng.choice([b'\r\n', b'\n', b'*0\r\n', b'*-1\r\n', b'   \r\n'])


def corrupt(rng, stream):
    for _ in range(rng.choice([0, 0, 1, 2])):
        i = rng.randrange(len(stream) + 1)
        op = rng.randrange(3)
        b = bytes([rng.choice(b'*$\r\n0123-"\' x\0')])
        if op == 0:
            stream = stream[:i] + b + stream[i:]
        elif op == 1:
            stream = stream[:i] + stream[i + 1:]
        else:
            stream = stream[:i] + b + stream[i + 1:]
    return stream


def expected_replies(events):
    """Redis's replies to our parse events, as far as they can be predicted without a
    command table: (bytes, closed, complete). complete is False once a command we do not
    model (a name other than ECHO/PING) comes up; the comparison stops there."""
    out = b''
    for e in events:
        if e[0] == 'empty':
            continue
        if e[0] == 'error':
            return (out if e[1] else out + b'-' + e[2] + b'\r\n'), True, True
        args = e[1]
        name = args[0].lower()
        if name == b'echo' and len(args) == 2:
            out += b'$%d\r\n%s\r\n' % (len(args[1]), args[1])
        elif name == b'ping' and len(args) <= 2:
            out += b'+PONG\r\n' if len(args) == 1 else b'$%d\r\n%s\r\n' % (len(args[1]),
                                                                             args[1])
        elif name in (b'echo', b'ping'):
            out += b"-ERR wrong number of arguments for '%s' command\r\n" % name
        else:
            return out, False, False
    return out, False, True


def protocol_random(path, ours, rng, count):
    streams = []
    for _ in range(count):
        st = b''.join(random_request(rng) for _ in range(rng.randint(1, 6)))
        streams.append(corrupt(rng, st))
    parsed = ours.parse_many(streams)
    compared = errors = 0
    for st, events in zip(streams, parsed):
        want, want_closed, complete = expected_replies(events)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(st)
        got, closed = b'', False
        s.settimeout(0.05 if complete else 0.02)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                got += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
        s.close()
        if not complete:
            got = got[:len(want)]
            closed = want_closed
        compared += 1
        errors += any(e[0] == 'error' for e in events)
        if got != want or closed != want_closed:
            print('RANDOM PROTOCOL MISMATCH stream=%r\n  ours=%r\n  redis=%r closed=%s want %r '
                  'closed=%s' % (st, events, got, closed, want, want_closed))
            return False
    print('protocol (random ECHO/PING streams with corruptions): %d streams agree, %d of them '
          'protocol errors' % (compared, errors))
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--streams', type=int, default=2000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix='strata-redis-diff-')
    sock = os.path.join(tmp, 'redis.sock')
    server = subprocess.Popen(['redis-server', '--port', '0', '--unixsocket', sock, '--save', '',
                               '--appendonly', 'no', '--dir', tmp, '--loglevel', 'warning'],
                              stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        r = Resp(sock)
        print('redis', r.call('INFO', 'server').split(b'redis_version:')[1].split(b'\r\n')[0]
              .decode())
        ours = Ours(tmp)
        ok = glob_keys(r, ours, rng, args.rounds)
        ok = glob_nocase(r, ours, rng, args.rounds) and ok
        ok = protocol_probes(sock) and ok
        ok = protocol_random(sock, ours, rng, args.streams) and ok
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
