#!/usr/bin/env python3
"""Differential tester: random command sequences, sent in lockstep to redis-server (the
oracle) and Strata, replies compared byte for byte (after normalize.py).

  python3 tests/diff/run.py --seed 1 --commands 5000 --seconds 60 --resp both
  python3 tests/diff/run.py --replay repro.json      # replay a saved reproduction

Exit status: 0 when every difference is a known one (known_differences.py), 1 otherwise,
2 on a harness error. See README.md.
"""

import argparse
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generators  # noqa: E402
import known_differences  # noqa: E402
import normalize  # noqa: E402
from generators import Ph, Step, b  # noqa: E402
from resp import Conn, Special, encode  # noqa: E402
from servers import Pair  # noqa: E402

REDIS, STRATA = 0, 1
NAMES = ("redis", "strata")
CHECK_EVERY = 100          # steps between two full state comparisons
SENTINEL_TIMEOUT = 3.0     # seconds to wait for the sentinel after a CLIENT REPLY pipeline


def show(raw, limit=400):
    if isinstance(raw, Special):
        return "<%s> after %s" % (raw.value, show(raw.raw, limit))
    if len(raw) > limit:
        return "%r... (%d bytes)" % (raw[:limit], len(raw))
    return repr(raw)


class Difference:
    def __init__(self, step, args, redis, strata, reason, keys=None):
        self.step = step          # the Step it happened in
        self.args = args          # the command (resolved for Redis) or a label
        self.redis = redis        # Reply/Special or bytes
        self.strata = strata
        self.reason = reason
        self.keys = keys          # keys involved (for shrinking), None = from args
        self.trailing = None      # bytes after the reply (a corrupt stream), per server
        self.known = None
        self.index = None
        self.history = None
        self.repro = None

    def signature(self):
        """What makes two differences "the same" (reported and shrunk once): the command
        and subcommand, the reply types and the error texts up to their first quote."""
        def part(r):
            if isinstance(r, Special):
                return ("special", r.value)
            if hasattr(r, "kind"):
                return (r.kind, r.raw[:60].split(b"'")[0] if r.is_error() else None)
            return ("bytes", r if len(r) < 10 else None)
        name = self.args[0].lower() if self.args and isinstance(self.args[0], bytes) else \
            str(self.args[:1])
        if hasattr(self.redis, "raw") and self.redis.raw.startswith(b"-ERR unknown command"):
            name = b"<unknown command>"
        sub = None
        if len(self.args) > 1 and isinstance(self.args[1], bytes) and name in (
                b"client", b"config", b"command", b"slowlog", b"debug", b"function"):
            sub = self.args[1].lower()
        return (name, sub, part(self.redis), part(self.strata), self.reason.split(":")[0])


def raw_of(r):
    return r if isinstance(r, (bytes, Special)) else r.raw


class Session:
    """Main connections to both servers and the machinery to run steps on them. Used for the
    run itself and for every replay while shrinking."""

    def __init__(self, pair, proto, ctx):
        self.pair = pair
        self.proto = proto          # the session's protocol: 2 or 3
        self.ctx = ctx
        self.main = [None, None]
        self.ids = [None, None]     # (client id, addr) of each main connection
        self.checker = [None, None]
        self.cur_proto = 2
        self.db = 0
        self.history = []           # steps run since the last reset
        self.slowlog_threshold = [None, None]
        self.ctx.exists = self._exists
        self.ctx.call_both = self._call_both
        self.ctx.zscores = self._zscores

    # -- connections --

    def ports(self):
        return (self.pair.redis.port, self.pair.strata.port)

    def _conn_info(self, c):
        cid = c.call(["CLIENT", "ID"])
        info = c.call(["CLIENT", "INFO"])
        addr = b""
        text = info.text() if not isinstance(info, Special) else None
        for tok in (text or b"").split():
            if tok.startswith(b"addr="):
                addr = tok[5:]
        return (str(cid.value).encode() if not isinstance(cid, Special) else b"0", addr)

    def connect(self, record=True):
        """(Re)opens both main connections; in a RESP3 session sends HELLO 3 on both."""
        diffs = []
        self.close_and_wait([(i, self.main[i]) for i in (REDIS, STRATA)])
        for i in (REDIS, STRATA):
            self.main[i] = Conn(self.ports()[i])
            self.ids[i] = self._conn_info(self.main[i])
        self.cur_proto = 2
        self.db = 0
        step = Step("reconnect", auto=True)
        if record:
            self.history.append(step)
        if self.proto == 3:
            diffs += self.run_cmd(step, [b"HELLO", b"3"])
        return diffs

    def close_and_wait(self, conns):
        """Closes connections [(server index, Conn)] and waits until both servers have
        dropped them: until then CLIENT KILL would count them, CLIENT LIST list them. Both
        servers get the same CLIENT LIST calls, so nothing else becomes asymmetric."""
        addrs = [[], []]
        for i, c in conns:
            if c is None:
                continue
            if not c.closed:
                try:
                    host, port = c.sock.getsockname()[:2]
                    addrs[i].append(b"addr=%s:%d " % (host.encode(), port))
                except OSError:
                    pass
            c.close()
        if not addrs[REDIS] and not addrs[STRATA]:
            return
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            present = False
            for i in (REDIS, STRATA):
                text = raw_of(self.check_call(i, [b"CLIENT", b"LIST"]))
                present |= any(a in text for a in addrs[i])
            if not present:
                return
            time.sleep(0.002)

    def close(self):
        for lst in (self.main, self.checker):
            for i in (REDIS, STRATA):
                if lst[i] is not None:
                    lst[i].close()
                    lst[i] = None

    def check_conn(self, i):
        c = self.checker[i]
        if c is None or c.closed:
            c = self.checker[i] = Conn(self.ports()[i])
        return c

    def check_call(self, i, args):
        r = self.check_conn(i).call(args)
        if isinstance(r, Special):  # killed by a CLIENT KILL: once more on a new connection
            self.checker[i].close()
            r = self.check_conn(i).call(args)
        return r

    def _exists(self, keys):
        out = []
        for i in (REDIS, STRATA):
            self.check_call(i, [b"SELECT", str(self.db).encode()])
            out.append([getattr(self.check_call(i, [b"EXISTS", k]), "value", None) == 1
                        for k in keys])
        return out

    def _call_both(self, args):
        """The same command on both servers' checker connections, in the session's db."""
        out = []
        for i in (REDIS, STRATA):
            self.check_call(i, [b"SELECT", str(self.db).encode()])
            out.append(self.check_call(i, args))
        return out

    def resync_spop(self, step, per, replies):
        """After SPOP each server popped its own random members (Redis A, Strata B, from
        the same set S). Checks that each popped members the other still has (SMISMEMBER of
        the symmetric difference), then brings both to Redis's state S - A: SADD A+B (back
        to S on both), SREM A. Both servers get the same commands (SLOWLOG and MONITOR stay
        comparable). Returns the differences found."""
        popped = []
        for r in replies:
            if r.kind == "$":
                popped.append({r.value})
            else:
                popped.append({x.value for x in (r.value or [])})
        a, b_ = popped
        if a == b_:
            return []
        key = per[REDIS][1]
        diffs = []

        def both(args):
            self.history.append(Step("cmd", args, auto=True))
            return self.exchange([args, args])
        sym = sorted(a ^ b_)
        got = both([b"SMISMEMBER", key] + sym)
        # Redis still has what only Strata popped, and the reverse.
        want = [[1 if m in b_ else 0 for m in sym], [1 if m in a else 0 for m in sym]]
        for i in (REDIS, STRATA):
            vals = [x.value for x in (getattr(got[i], "value", None) or [])]
            if vals != want[i]:
                diffs.append(Difference(step, per[REDIS], replies[REDIS], replies[STRATA],
                                        "SPOP popped members the other server does not have: "
                                        "SMISMEMBER %r -> redis %r, strata %r" % (
                                            sym, raw_of(got[REDIS]), raw_of(got[STRATA]))))
                return diffs
        both([b"SADD", key] + sorted(a | b_))
        both([b"SREM", key] + sorted(a))
        return diffs

    def _zscores(self, key, members):
        out = []
        for i in (REDIS, STRATA):
            self.check_call(i, [b"SELECT", str(self.db).encode()])
            r = self.check_call(i, [b"ZMSCORE", key] + list(members))
            items = getattr(r, "value", None)
            if not isinstance(items, list) or len(items) != len(members):
                items = [None] * len(members)
            out.append([getattr(x, "value", None) for x in items])
        return out

    def reset_state(self, defaults):
        """Both servers back to an empty, default state, with new main connections."""
        self.close_and_wait([(i, self.main[i]) for i in (REDIS, STRATA)])
        self.main = [None, None]
        for i in (REDIS, STRATA):
            self.check_call(i, [b"FLUSHALL"])
            for name, value in defaults[i].items():
                self.check_call(i, [b"CONFIG", b"SET", name, value])
            self.check_call(i, [b"SLOWLOG", b"RESET"])
            self.check_call(i, [b"CONFIG", b"RESETSTAT"])
            self.check_call(i, [b"DEBUG", b"SET-ACTIVE-EXPIRE", b"1"])
        self.slowlog_threshold = [None, None]
        self.ctx.slowlog_exact = False
        self.history = []
        return self.connect()

    # -- placeholders --

    def resolve(self, args, i, side=None):
        out = []
        for a in args:
            if isinstance(a, Ph):
                # The servers log different arguments (their own ids and addresses).
                self.ctx.slowlog_exact = False
                if a.name == "MYID":
                    a = self.ids[i][0]
                elif a.name == "MYADDR":
                    a = self.ids[i][1]
                elif a.name == "SIDEID":
                    a = side[i][0] if side else b"0"
                elif a.name == "SIDEADDR":
                    a = side[i][1] if side else b"0.0.0.0:0"
            out.append(a)
        return out

    # -- running steps --

    def run_step(self, step):
        """Runs one step (and whatever it implies); returns the differences found."""
        if step.auto:
            return []  # replaying the step before it did it again
        self.history.append(step)
        kind = step.kind
        if kind == "cmd":
            diffs = self.run_cmd(step, step.args)
        elif kind == "scan":
            diffs = self.run_scan(step)
        elif kind == "pipeline":
            diffs = self.run_pipeline(step)
        elif kind == "monitor":
            diffs = self.run_monitor(step)
        elif kind == "side":
            diffs = self.run_side(step)
        elif kind == "reconnect":
            self.history.pop()
            diffs = self.connect()  # records its own (auto) step
        elif kind == "check":
            diffs = self.run_check(step)
        else:
            raise ValueError(kind)
        return diffs

    def exchange(self, per_server_args):
        """Sends one command to both servers, then reads both replies (so both see the
        command within microseconds of each other)."""
        for i in (REDIS, STRATA):
            self.main[i].send(encode(per_server_args[i]))
        return [self.main[i].read_reply() for i in (REDIS, STRATA)]

    def run_cmd(self, step, args, side=None):
        per = [self.resolve(args, i, side) for i in (REDIS, STRATA)]
        replies = self.exchange(per)
        diffs = []
        reason = normalize.compare(per[REDIS], replies[REDIS], replies[STRATA], self.ctx)
        if reason is not None:
            d = Difference(step, per[REDIS], replies[REDIS], replies[STRATA], reason)
            d.known = known_differences.match(per[REDIS], replies[REDIS], replies[STRATA])
            if d.known is None:
                d.trailing = [self.main[i].drain() for i in (REDIS, STRATA)]
            else:
                # A command one server runs and the other refuses (COMPACT, CLIENT SETINFO
                # against the 7.0 oracle) is in one SLOWLOG only.
                self.ctx.slowlog_exact = False
            diffs.append(d)
        diffs += self.after_cmd(step, per, replies)
        name = per[REDIS][0].lower() if per[REDIS] and isinstance(per[REDIS][0], bytes) else b""
        if name in (b"quit", b"client", b"shutdown") and not any(
                isinstance(r, Special) for r in replies):
            # These may close the connection right after their reply: probe both.
            state = []
            for i in (REDIS, STRATA):
                r = self.main[i].call([b"PING"], timeout=2)
                state.append("open" if getattr(r, "raw", None) == b"+PONG\r\n" else "closed")
            if state[REDIS] != state[STRATA]:
                diffs.append(Difference(step, per[REDIS], replies[REDIS], replies[STRATA],
                                        "connection %s on redis, %s on strata after the reply"
                                        % (state[REDIS], state[STRATA])))
        if any(isinstance(r, Special) or self.main[i].closed for i, r in enumerate(replies)):
            diffs += self.connect()
        elif any(d.known is None for d in diffs):
            # The streams may be out of step (a reply too many or too few): start afresh.
            diffs += self.connect()
        return diffs

    def after_cmd(self, step, per, replies):
        """Tracks the connection state the session needs, and settles what would otherwise
        be timing-dependent. Returns the differences found doing so."""
        diffs = []
        args = per[REDIS]
        name = args[0].lower() if args and isinstance(args[0], bytes) else b""
        ok = [not isinstance(r, Special) and not r.is_error() for r in replies]
        if name == b"hello" and all(ok) and len(args) > 1:
            try:
                self.cur_proto = int(args[1])
            except ValueError:
                pass
        elif name == b"reset" and all(ok):
            self.cur_proto = 2
            self.db = 0
        elif name == b"select" and all(ok):
            try:
                self.db = int(args[1])
            except ValueError:
                pass
        elif name == b"config" and len(args) > 1 and args[1].lower() == b"set":
            for i in (REDIS, STRATA):
                if ok[i]:
                    pairs = per[i][2:]
                    for j in range(0, len(pairs) - 1, 2):
                        if pairs[j].lower() == b"slowlog-log-slower-than":
                            self.slowlog_threshold[i] = pairs[j + 1]
            if self.slowlog_threshold[REDIS] != b"0" or self.slowlog_threshold[STRATA] != b"0":
                self.ctx.slowlog_exact = False
        elif name == b"slowlog" and len(args) > 1 and args[1].lower() == b"reset" and all(ok):
            self.ctx.slowlog_exact = self.slowlog_threshold == [b"0", b"0"]
        elif name == b"bgsave" and (ok[REDIS] or ok[STRATA]):
            self.wait_bgsave()
        elif name == b"spop" and all(ok) and not any(r.is_null() for r in replies):
            diffs += self.resync_spop(step, per, replies)
        elif name == b"set" and all(ok):
            # SET ... EXAT/PXAT in the past leaves a logically expired key that Redis reclaims
            # lazily or in its expire cycle, whenever that runs: DBSIZE and INFO keyspace
            # would depend on timing. Touch the key on both servers so both reclaim it now.
            opts = [a.lower() for a in args[3:]]
            if b"exat" in opts or b"pxat" in opts:
                self.history.append(Step("cmd", [b"EXISTS", args[1]], auto=True))
                self.exchange([[b"EXISTS", args[1]]] * 2)
        if self.proto == 3 and self.cur_proto == 2 and not any(
                self.main[i].closed for i in (REDIS, STRATA)):
            # Keep a RESP3 session in RESP3 after HELLO 2 or RESET.
            self.history.append(Step("cmd", [b"HELLO", b"3"], auto=True))
            self.exchange([[b"HELLO", b"3"]] * 2)
            self.cur_proto = 3
        return diffs

    def wait_bgsave(self):
        """Waits until neither server has a background save in progress (Redis refuses SAVE
        and BGSAVE meanwhile). Both are asked the same, so CLIENT LIST stays comparable."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            busy = [b"rdb_bgsave_in_progress:1" in raw_of(self.check_call(i, [b"INFO",
                                                                             b"persistence"]))
                    for i in (REDIS, STRATA)]
            if not any(busy):
                return
            time.sleep(0.01)

    def run_scan(self, step):
        per = [self.resolve(step.args, i) for i in (REDIS, STRATA)]
        first = self.exchange(per)
        shapes = [None if isinstance(r, Special) or r.is_error() else normalize.scan_shape(r)
                  for r in first]
        if shapes[REDIS] is None or shapes[STRATA] is None:
            # Errors (or a malformed reply) are compared as they are.
            diffs = []
            reason = normalize.compare(per[REDIS], first[REDIS], first[STRATA], self.ctx)
            if reason is None and (shapes[REDIS] is None) != (shapes[STRATA] is None):
                reason = "malformed SCAN reply"
            if reason is not None:
                diffs.append(Difference(step, per[REDIS], first[REDIS], first[STRATA], reason))
                diffs += self.connect()
            return diffs
        ci = normalize.scan_cursor_index(step.args)
        if step.args[ci] != b"0":
            return []  # started at an arbitrary cursor: only the shape is comparable
        # The servers get different cursors and numbers of calls from here on.
        self.ctx.slowlog_exact = False
        found = []
        for i in (REDIS, STRATA):
            cursor, keys = shapes[i]
            acc = normalize.scan_items(per[i], keys)
            for _ in range(10000):
                if cursor == b"0":
                    break
                args = list(per[i])
                args[ci] = cursor
                self.main[i].send(encode(args))
                r = self.main[i].read_reply()
                shape = None if isinstance(r, Special) or r.is_error() else \
                    normalize.scan_shape(r)
                if shape is None:
                    acc = ("bad reply", raw_of(r))
                    break
                cursor, keys = shape
                acc |= normalize.scan_items(per[i], keys)
            found.append(acc)
        if found[REDIS] != found[STRATA]:
            reason = "full SCAN returned different keys"
            if isinstance(found[REDIS], set) and isinstance(found[STRATA], set):
                reason += ": only redis %r, only strata %r" % (
                    sorted(found[REDIS] - found[STRATA]), sorted(found[STRATA] - found[REDIS]))
            return [Difference(step, per[REDIS],
                               repr(sorted(found[REDIS]) if isinstance(found[REDIS], set)
                                    else found[REDIS]).encode(),
                               repr(sorted(found[STRATA]) if isinstance(found[STRATA], set)
                                    else found[STRATA]).encode(), reason)]
        return []

    def run_pipeline(self, step):
        token = b"sentinel-%d" % random.getrandbits(48)
        outs = []
        for i in (REDIS, STRATA):
            data = b"".join(encode(self.resolve(a, i)) for a in step.body)
            self.main[i].send(data + encode([b"PING", token]))
        for i in (REDIS, STRATA):
            raw = b""
            while True:
                r = self.main[i].read_reply(SENTINEL_TIMEOUT)
                if isinstance(r, Special):
                    raw = Special(r.value, raw + r.raw)
                    break
                if r.kind == "$" and r.value == token:
                    break
                raw += r.raw
            outs.append(raw)
        if outs[REDIS] != outs[STRATA]:
            d = Difference(step, [b"<pipeline>"] + [a[0] for a in step.body], outs[REDIS],
                           outs[STRATA], "pipelined replies differ")
            return [d] + self.connect()
        return []

    def run_monitor(self, step):
        mon = [Conn(p) for p in self.ports()]
        diffs = []
        try:
            for c in mon:
                c.send(encode([b"MONITOR"]))
            r = [c.read_reply() for c in mon]
            if r[REDIS].raw != r[STRATA].raw:
                return [Difference(step, [b"MONITOR"], r[REDIS], r[STRATA], "replies differ")]
            for args in step.body:
                diffs += self.run_cmd(step, args)
            token = b"monitor-sentinel-%d" % random.getrandbits(48)
            self.exchange([[b"PING", token]] * 2)
            lines = [[], []]
            for i in (REDIS, STRATA):
                while True:
                    x = mon[i].read_reply(SENTINEL_TIMEOUT)
                    if isinstance(x, Special):
                        lines[i].append(repr(x).encode())
                        break
                    if token in x.raw:
                        break
                    lines[i].append(normalize.monitor_line(x.raw))
            if lines[REDIS] != lines[STRATA]:
                diffs.append(Difference(step, [b"<monitor>"], b"".join(lines[REDIS]),
                                        b"".join(lines[STRATA]), "MONITOR output differs"))
        finally:
            self.close_and_wait(list(enumerate(mon)))
        return diffs

    def run_side(self, step):
        side_conns = [Conn(p) for p in self.ports()]
        try:
            side = [self._conn_info(c) for c in side_conns]
            diffs = self.run_cmd(step, step.args, side)
            state = []
            for c in side_conns:
                r = c.call([b"PING"], timeout=2)
                state.append(b"open" if getattr(r, "raw", None) == b"+PONG\r\n" else b"closed")
            if state[REDIS] != state[STRATA]:
                diffs.append(Difference(step, self.resolve(step.args, REDIS, side), state[REDIS],
                                        state[STRATA], "the other connection is %s on redis, %s "
                                        "on strata" % (state[REDIS].decode(),
                                                       state[STRATA].decode())))
            return diffs
        finally:
            self.close_and_wait(list(enumerate(side_conns)))

    def dump_state(self, i):
        """{db: {key: (type, value, pttl)}} and the INFO keyspace of server i."""
        info = self.check_call(i, [b"INFO", b"keyspace"])
        ks = normalize._keyspace(info.text() if not isinstance(info, Special) else None) or {}
        state = {}
        for dbname in sorted(ks):
            db = dbname[2:]
            self.check_call(i, [b"SELECT", db])
            keys = self.check_call(i, [b"KEYS", b"*"])
            entries = {}
            # Sorted: the same commands in the same order on both (SLOWLOG, MONITOR...).
            names = sorted(k.value for k in (keys.value or [])) if not isinstance(
                keys, Special) else []
            for k in names:
                t = self.check_call(i, [b"TYPE", k])
                if t.value == b"string":
                    v = self.check_call(i, [b"GET", k])
                elif t.value == b"hash":
                    # Field order is unspecified (normalize.rule_unordered_fields).
                    h = self.check_call(i, [b"HGETALL", k])
                    items = getattr(h, "value", None) or []
                    v = sorted((items[j].raw, items[j + 1].raw)
                               for j in range(0, len(items) - 1, 2))
                elif t.value == b"list":
                    v = self.check_call(i, [b"LRANGE", k, b"0", b"-1"])
                elif t.value == b"set":
                    # Member order is unspecified.
                    m = self.check_call(i, [b"SMEMBERS", k])
                    v = sorted(x.raw for x in (getattr(m, "value", None) or []))
                elif t.value == b"zset":
                    v = self.check_call(i, [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"])
                else:
                    v = t
                # The absolute expiry: a relative TTL would also measure how long the dump
                # of the first server took.
                p = self.check_call(i, [b"PEXPIRETIME", k])
                value = v if isinstance(v, list) else raw_of(v)
                entries[k] = (raw_of(t), value, getattr(p, "value", None))
            state[db] = entries
        return ks, state

    def run_check(self, step):
        (ka, sa), (kb, sb) = self.dump_state(REDIS), self.dump_state(STRATA)
        diffs = []
        if ka != kb:
            diffs.append(Difference(step, [b"<state check>"], repr(ka).encode(),
                                    repr(kb).encode(), "INFO keyspace differs"))
        bad = []
        for db in sorted(set(sa) | set(sb)):
            ea, eb = sa.get(db, {}), sb.get(db, {})
            for k in sorted(set(ea) | set(eb)):
                x, y = ea.get(k), eb.get(k)
                if x is not None and y is not None and x[:2] == y[:2]:
                    if x[2] == y[2] or (x[2] is not None and y[2] is not None and x[2] >= 0
                                        and y[2] >= 0 and abs(x[2] - y[2]) <=
                                        normalize.PTTL_TOLERANCE_MS):
                        continue
                bad.append((db, k, x, y))
        if bad:
            db, k, x, y = bad[0]
            d = Difference(step, [b"<state check>"], repr(x).encode(), repr(y).encode(),
                           "state differs (type, value, pexpiretime): %d key(s), first db %s key %r"
                           % (len(bad), db.decode(), k), keys=[bk for _, bk, _, _ in bad])
            diffs.append(d)
        return diffs


# ---- start-up probes ----------------------------------------------------------------------

def probe_context(pair):
    """What normalize.py needs to know about the two servers, and their default values of
    the parameters the run may change."""
    ctx = normalize.Context()
    params, defaults = [], []
    for port in (pair.redis.port, pair.strata.port):
        c = Conn(port)
        r = c.call([b"CONFIG", b"GET", b"*"])
        items = r.value or []
        names = {items[j].value for j in range(0, len(items), 2)}
        params.append(names)
        d = {}
        for name in generators.MUTABLE_CONFIG:
            x = c.call([b"CONFIG", b"GET", name.encode()])
            if x.value and len(x.value) == 2:
                d[name.encode()] = x.value[1].value
        defaults.append(d)
        c.close()
    ctx.common_params = params[0] & params[1]
    lists = []
    for port in (pair.redis.port, pair.strata.port):
        c = Conn(port)
        r = c.call([b"COMMAND", b"LIST"])
        lists.append({x.value for x in (r.value or [])})
        c.close()
    ctx.redis_commands, ctx.strata_commands = lists
    return ctx, defaults


# ---- shrinking ----------------------------------------------------------------------------

class Shrinker:
    """Replays step sequences on a second pair of servers to find a short reproduction."""

    def __init__(self, budget_s, max_replays):
        self.pair = None
        self.budget_s = budget_s
        self.max_replays = max_replays

    def ensure(self):
        if self.pair is None or not all(s.alive() for s in self.pair.servers()):
            if self.pair is not None:
                self.pair.stop()
            self.pair = Pair().start()
            self.ctx, self.defaults = probe_context(self.pair)

    def stop(self):
        if self.pair is not None:
            self.pair.stop()
            self.pair = None

    def replay(self, steps, proto):
        """Runs steps on fresh state; returns the differences of the last step."""
        self.ensure()
        s = Session(self.pair, proto, self.ctx)
        try:
            s.reset_state(self.defaults)
            last = []
            for n, st in enumerate(steps):
                d = s.run_step(st)
                if n == len(steps) - 1:
                    last = d
            return last
        except OSError:
            last = []
        finally:
            s.close()
        if not all(x.alive() for x in self.pair.servers()):
            d = Difference(steps[-1], [b"<server died>"], b"", b"", "server process exited")
            d.redis = b"alive" if self.pair.redis.alive() else b"exited"
            d.strata = b"alive" if self.pair.strata.alive() else b"exited"
            return [d]
        return last

    def reproduces(self, steps, proto, sig):
        return any(d.known is None and d.signature() == sig for d in self.replay(steps, proto))

    def shrink(self, diff, proto, until=None):
        """The shortest sequence found that ends with diff's step and shows the same
        difference, or None if even the whole history does not reproduce it. Stops after
        budget_s seconds, or at `until` (time.monotonic()) if that comes first."""
        deadline = time.monotonic() + self.budget_s
        if until is not None:
            deadline = min(deadline, until)
        sig = diff.signature()
        history = diff.history
        target = history[-1]
        prefix = history[:-1]
        count = [0]

        def ok(cand):
            count[0] += 1
            return self.reproduces(cand + [target], proto, sig)

        if ok([]):
            return [target]
        keys = set(diff.keys) if diff.keys else {a for a in diff.args if a in generators.KEYS}
        for st in [target]:
            for a in st.commands():
                keys |= {x for x in a if isinstance(x, bytes) and x in generators.KEYS}
        keys.discard(b"")  # too common as an argument to say anything

        def touches(st):
            ks = {x for a in st.commands() for x in a
                  if isinstance(x, bytes) and x in generators.KEYS}
            return st.kind != "check" and (not ks or bool(ks & keys))
        related = [st for st in prefix if touches(st)]
        if time.monotonic() >= deadline:
            return None
        if len(related) < len(prefix) and ok(related):
            current = related
        elif time.monotonic() < deadline and ok(prefix):
            current = prefix
        else:
            return None
        # ddmin over the prefix, within the time and replay budget.
        n = 2
        while len(current) >= 1 and time.monotonic() < deadline and count[0] < self.max_replays:
            chunk = max(1, len(current) // n)
            reduced = False
            for start in range(0, len(current), chunk):
                if time.monotonic() >= deadline or count[0] >= self.max_replays:
                    break
                cand = current[:start] + current[start + chunk:]
                if ok(cand):
                    current = cand
                    n = max(n - 1, 2)
                    reduced = True
                    break
            if not reduced:
                if chunk == 1:
                    break
                n = min(len(current), n * 2)
        return current + [target]


# ---- serialisation of reproductions ------------------------------------------------------

def arg_to_json(a):
    return {"ph": a.name} if isinstance(a, Ph) else a.decode("latin-1")


def arg_from_json(a):
    return Ph(a["ph"]) if isinstance(a, dict) else a.encode("latin-1")


def step_to_json(st):
    return {"kind": st.kind, "args": [arg_to_json(a) for a in st.args],
            "body": [[arg_to_json(a) for a in cmd] for cmd in st.body]}


def step_from_json(d):
    return Step(d["kind"], [arg_from_json(a) for a in d.get("args", [])],
                [[arg_from_json(a) for a in cmd] for cmd in d.get("body", [])])


# ---- the run ------------------------------------------------------------------------------

class Run:
    def __init__(self, opts):
        self.opts = opts
        self.diffs = []
        self.known = {}
        self.signatures = {}
        self.commands = 0
        self.shrinker = Shrinker(opts.shrink_seconds, opts.max_replays)
        self.shrunk = 0
        self.json_out = []

    def report(self, d, proto):
        sig = d.signature()
        if d.known is not None:
            self.known[d.known] = self.known.get(d.known, 0) + 1
            return
        self.diffs.append(d)
        n = len(self.diffs)
        first = self.signatures.get(sig)
        where = "seed=%d resp=%d index=%d" % (self.opts.seed, proto, d.index)
        if first is not None:
            if self.opts.verbose:
                print("DIFF #%d (same as #%d) %s: %r" % (n, first, where, d.step))
            return
        self.signatures[sig] = n
        print("DIFF #%d %s: %r" % (n, where, d.step))
        if d.step.kind != "cmd" or [b(x) if not isinstance(x, Ph) else x
                                     for x in d.step.args] != d.args:
            print("  command: %s" % generators.fmt_args(d.args))
        print("  reason : %s" % d.reason)
        print("  redis  : %s" % show(raw_of(d.redis)))
        print("  strata : %s" % show(raw_of(d.strata)))
        if d.trailing and any(d.trailing):
            print("  then, unrequested: redis %s, strata %s" % (show(d.trailing[0]),
                                                              show(d.trailing[1])))
        repro = None
        # Shrinking takes its time from the run's own budget (--seconds).
        if (self.shrunk < self.opts.max_shrink and self.opts.shrink_seconds > 0
                and time.monotonic() < self.deadline - 1):
            self.shrunk += 1
            repro = self.shrinker.shrink(d, proto, until=self.deadline)
        if repro is None:
            tail = d.history[-20:]
            print("  reproduction: not shrunk; the last %d of %d steps since the last reset:"
                  % (len(tail), len(d.history)))
        else:
            tail = repro
            print("  reproduction (%d of %d steps since the last reset):"
                  % (len(repro), len(d.history)))
        for st in tail:
            print("    %r" % (st,))
        d.repro = tail
        # Unshrunk, the file keeps the whole history since the last reset.
        self.json_out.append({"seed": self.opts.seed, "resp": proto, "index": d.index,
                              "reason": d.reason, "shrunk": repro is not None,
                              "redis": show(raw_of(d.redis), 4000),
                              "strata": show(raw_of(d.strata), 4000),
                              "steps": [step_to_json(s) for s in (repro or d.history)]})
        sys.stdout.flush()

    def run_mode(self, pair, ctx, defaults, proto, seconds, max_commands):
        g = generators.Gen("%d-resp%d" % (self.opts.seed, proto))
        s = Session(pair, proto, ctx)
        deadline = time.monotonic() + seconds
        index = 0
        try:
            self.handle(s, s.reset_state(defaults), proto, 0)
            while index < max_commands and time.monotonic() < deadline:
                step = generators.make_step(g)
                index += 1
                self.commands += 1
                try:
                    diffs = s.run_step(step)
                    if index % CHECK_EVERY == 0 and not any(d.known is None for d in diffs):
                        diffs += s.run_step(Step("check"))
                except OSError as e:
                    diffs = []
                    if all(x.alive() for x in pair.servers()):
                        raise RuntimeError("connection error with both servers alive: %s" % e)
                if not all(x.alive() for x in pair.servers()):
                    time.sleep(0.2)
                    dead = [x for x in pair.servers() if not x.alive()]
                    logs = "; ".join("%s log: %s" % (x.kind, " | ".join(x.log_tail()))
                                     for x in dead)
                    d = Difference(step, [b"<server died>"], b"", b"",
                                   "server process exited: %s" % logs)
                    d.redis = b"alive" if pair.redis.alive() else b"exited"
                    d.strata = b"alive" if pair.strata.alive() else b"exited"
                    d.index = index
                    d.history = list(s.history)
                    s.close()
                    # Report (shrinking restarts the servers it needs), then go on afresh.
                    self.report(d, proto)
                    pair.stop()
                    pair.start()
                    ctx2, defaults2 = probe_context(pair)
                    s = Session(pair, proto, ctx2)
                    self.defaults = defaults = defaults2
                    self.handle(s, s.reset_state(defaults), proto, index)
                    continue
                self.handle(s, diffs, proto, index)
            self.handle(s, s.run_step(Step("check")), proto, index)
        finally:
            s.close()
        return True

    def handle(self, s, diffs, proto, index):
        real = False
        for d in diffs:
            d.index = index
            # The history up to the step the difference happened in.
            pos = max((j for j, st in enumerate(s.history) if st is d.step), default=None)
            d.history = list(s.history if pos is None else s.history[:pos + 1])
            if pos is None:
                d.history.append(d.step)
            if d.known is None:
                real = True
            self.report(d, proto)
        if real and all(x.alive() for x in s.pair.servers()):
            # After a difference the two states may have diverged: start again from empty.
            self.handle(s, s.reset_state(self.defaults), proto, index)

    def main(self):
        o = self.opts
        modes = [2, 3] if o.resp == "both" else [int(o.resp)]
        print("diff: seed %d, up to %d commands and %d s per RESP version %s" % (
            o.seed, o.commands, o.seconds // len(modes), "/".join("RESP%d" % m for m in modes)))
        sys.stdout.flush()
        start = time.monotonic()
        self.deadline = start + o.seconds
        try:
            for k, proto in enumerate(modes):
                left = o.seconds - (time.monotonic() - start)
                per = max(1.0, left / (len(modes) - k))
                pair = Pair().start()
                try:
                    ctx, self.defaults = probe_context(pair)
                    self.run_mode(pair, ctx, self.defaults, proto, per, o.commands)
                finally:
                    pair.stop()
        finally:
            self.shrinker.stop()
        if o.json:
            with open(o.json, "w") as f:
                json.dump(self.json_out, f, indent=1)
        known = sum(self.known.values())
        if known:
            print("known differences (known_differences.py): " + ", ".join(
                "%s x%d" % kv for kv in sorted(self.known.items())))
        print("diff: %d commands, %d differences (%d distinct)%s, %.0f s, seed %d" % (
            self.commands, len(self.diffs), len(self.signatures),
            (", %d known" % known) if known else "", time.monotonic() - start, o.seed))
        return 1 if self.diffs else 0


def replay_file(path, verbose=True):
    """Replays the reproductions saved with --json on fresh servers, printing every step."""
    with open(path) as f:
        items = json.load(f)
    if isinstance(items, dict):
        items = [items]
    pair = Pair().start()
    failed = 0
    try:
        ctx, defaults = probe_context(pair)
        for item in items:
            steps = [step_from_json(x) for x in item["steps"]]
            s = Session(pair, item.get("resp", 2), ctx)
            s.reset_state(defaults)
            print("replay (resp %d): %s" % (s.proto, item.get("reason", "")))
            for st in steps:
                diffs = s.run_step(st)
                print("  %r" % (st,))
                for d in diffs:
                    if d.known is None:
                        failed += 1
                    print("    %s: %s" % ("known" if d.known else "DIFF", d.reason))
                    print("      redis : %s" % show(raw_of(d.redis)))
                    print("      strata: %s" % show(raw_of(d.strata)))
            s.close()
    finally:
        pair.stop()
    print("replay: %d differences" % failed)
    return 1 if failed else 0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: a random one, printed)")
    p.add_argument("--commands", type=int, default=5000,
                   help="commands per RESP version (default 5000)")
    p.add_argument("--seconds", type=float, default=60,
                   help="wall-clock bound for the whole run, shared by the RESP versions")
    p.add_argument("--resp", choices=["2", "3", "both"], default="both")
    p.add_argument("--shrink-seconds", type=float, default=20,
                   help="time spent shrinking each distinct difference (0: do not shrink)")
    p.add_argument("--max-shrink", type=int, default=25,
                   help="shrink at most this many distinct differences")
    p.add_argument("--max-replays", type=int, default=300,
                   help="replays per shrink at most")
    p.add_argument("--json", help="write the reproductions to this JSON file")
    p.add_argument("--replay", help="replay the reproductions of a --json file and exit")
    p.add_argument("--families",
                   help="comma-separated command families to generate (default: all; "
                        "see generators.FAMILY_WEIGHTS)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print repeated differences")
    o = p.parse_args(argv)
    if o.seed is None:
        o.seed = random.SystemRandom().randrange(1, 1 << 31)
    if o.families:
        generators.restrict_families(o.families.split(","))
    return o


def main(argv=None):
    o = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if o.replay:
            return replay_file(o.replay)
        return Run(o).main()
    except KeyboardInterrupt:
        return 2
    except RuntimeError as e:
        print("diff: error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
