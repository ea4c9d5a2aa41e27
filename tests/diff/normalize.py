"""THE one place where replies are normalised before Redis's and Strata's are compared.

By default two replies must be byte-for-byte identical (Reply.raw). Error replies are always
compared byte for byte. The rules below relax that only where the reply legitimately differs
between two servers (clocks, ids, addresses, ports, directories, versions, the set of
commands and parameters Redis has that Strata does not implement) or where the order is
unspecified (KEYS, SCAN, SMEMBERS...) or random (RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD).
Every rule keeps the reply's type and checks as much as can be
checked. If you add a rule, document it in the table below and in README.md.

  command                   rule
  ------------------------  -----------------------------------------------------------------
  INFO                      same reply type; the Keyspace section, when present, must list
                            the same databases with the same keys= and expires= counts
                            (avg_ttl dropped); other content is the server's own.
  TIME                      both [seconds, microseconds] bulks of digits, within 5 s.
  LASTSAVE                  both integers.
  CLIENT ID                 both integers.
  CLIENT INFO / LIST        same number of lines; per line only name, db, flags, multi, sub,
                            psub, cmd, user, resp are compared (ids, addresses, fds, ages,
                            buffer sizes and 7.2's lib-name/lib-ver are the server's own).
  HELLO                     same map; the values of `version` and `id` are not compared
                            (`id` must be an integer).
  CONFIG GET                compared as a dict, restricted to the parameters both servers
                            know (CONFIG GET * on each at start-up); values of parameters in
                            CONFIG_DIFFERS are not compared.
  COMMAND, COMMAND INFO     same type and count; each entry's name, arity, first key, last key
                            and step are compared (flags, ACL categories, tips, key specs and
                            subcommands are Redis's own metadata). Without names, only the
                            commands both servers have are compared.
  COMMAND COUNT             both integers.
  COMMAND DOCS              the set of documented names (restricted to commands both have),
                            and each one's group and since.
  COMMAND LIST              the set of names, restricted to commands both servers have.
  SLOWLOG GET / LEN         ids, timestamps, durations and client addresses are masked; the
                            entries themselves are compared only while the run knows they are
                            deterministic (both servers log every command: the threshold was
                            0 on both since the last reset); otherwise only the shape.
  TTL, EXPIRETIME           equal, or both >= 0 and within 1 s (the two servers receive a
                            relative expiry some microseconds apart; TTL rounds to seconds).
  PTTL, PEXPIRETIME         equal, or both >= 0 and within PTTL_TOLERANCE_MS (250 ms: the
                            sanitized server in make test can stall for tens of ms).
  KEYS                      same set (order is the server's hash/scan order).
  RANDOMKEY                 both nil, or both a key, and both keys EXIST on both servers.
  ZRANDMEMBER               same reply type and shape (count, nesting, item types); every
                            member picked is in the sorted set on both servers (ZMSCORE), with
                            the score replied when WITHSCORES; distinct for a positive count;
                            byte for byte when a positive count exceeds the size (the whole set,
                            in Redis's order).
  SCAN (scan step)          a cursor-0 scan is run to completion on both; the sets of keys
                            returned must be equal (duplicates allowed); every reply must be
                            [cursor, [keys...]] with a decimal cursor. A scan started at some
                            other valid cursor only checks the shape and that the keys
                            returned match MATCH/TYPE.
  SSCAN, HSCAN (scan step)  as SCAN, with the cursor as the third argument; HSCAN's items
                            are compared as (field, value) pairs.
  SMEMBERS, SINTER, SUNION,
  SDIFF                     same reply type (a set in RESP3); compared as sets (Redis's order
                            is its hash order, Strata's is byte order).
  SPOP                      same reply type; both nil, or both a bulk, or the same number of
                            distinct members. The run then brings both servers to Redis's
                            state (run.py Session.resync_spop: SMISMEMBER checks that each
                            popped what the other still has, SADD of both picks, SREM of
                            Redis's), so the state check validates what Strata popped.
  SRANDMEMBER               same reply type and length; distinct members for a count >= 0;
                            every member returned is checked with SMISMEMBER on both servers.
  HRANDFIELD                same reply type and shape (flat field/value array in RESP2,
                            [field, value] pairs in RESP3 WITHVALUES); distinct fields for a
                            count >= 0; every field (and value) is checked with HMGET on
                            both servers.
  MONITOR (monitor step)    in each line the timestamp and the client address are masked.
"""

import re

from resp import Reply, Special

PTTL_TOLERANCE_MS = 250
TTL_TOLERANCE_S = 1
TIME_TOLERANCE_S = 5

# CONFIG GET values that legitimately differ: where each server runs (port, dir, log and pid
# files), what the run passed on its command line, and parameters whose meaning Strata
# documents as its own (appendonly is always yes: the WAL is always on; the default output
# buffer limit of normal clients is 256 MB hard in Strata, unlimited in Redis).
CONFIG_DIFFERS = {"port", "dir", "logfile", "pidfile", "appendonly",
                  "client-output-buffer-limit"}

CLIENT_FIELDS = ("name", "db", "flags", "multi", "sub", "psub", "cmd", "user", "resp")


class Context:
    """What the rules need to know about the run (filled in by run.py)."""

    def __init__(self):
        self.common_params = set()     # CONFIG parameter names both servers know
        self.strata_commands = set()   # top-level command names Strata implements
        self.redis_commands = set()    # command names (COMMAND LIST) Redis has
        self.slowlog_exact = False     # both servers logged every command since the reset
        self.exists = None             # exists([keys]) -> [[bool per key] on Redis, on Strata]
        self.call_both = None          # call_both(args) -> [Redis's reply, Strata's reply]
        # zscores(key, [members]) -> [[score bytes or None per member] on Redis, on Strata]
        self.zscores = None


def lower(x):
    return x.lower() if isinstance(x, bytes) else x


def _kind_equal(a, b):
    return a.kind == b.kind


def _raw(a, b):
    return None if a.raw == b.raw else "replies differ"


def _aggregate_items(r):
    """The items of an array/map/set reply (maps flattened), or None."""
    if r.kind in ("*", "%", "~") and r.value is not None:
        return r.value
    return None


def _pairs(r):
    items = _aggregate_items(r)
    if items is None or len(items) % 2:
        return None
    return [(items[i], items[i + 1]) for i in range(0, len(items), 2)]


def _is_int(r):
    return r.kind == ":"


# ---- rules: each returns None when equivalent, else a short description ----------------------

def rule_info(args, a, b, ctx):
    if a.kind != b.kind or a.kind not in ("$", "="):
        return "INFO reply types differ"
    ka, kb = _keyspace(a.text()), _keyspace(b.text())
    if ka != kb:
        return "INFO keyspace differs: redis %r, strata %r" % (ka, kb)
    return None


def _keyspace(text):
    """{db: (keys, expires)} from the Keyspace section, or None if there is none."""
    if text is None:
        return None
    out, in_ks = None, False
    for line in text.split(b"\r\n"):
        if line.startswith(b"#"):
            in_ks = line.strip().lower() == b"# keyspace"
            if in_ks:
                out = {}
            continue
        if in_ks and line:
            name, _, rest = line.partition(b":")
            fields = dict(f.split(b"=", 1) for f in rest.split(b",") if b"=" in f)
            out[name] = (fields.get(b"keys"), fields.get(b"expires"))
    return out


def rule_time(args, a, b, ctx):
    ia, ib = _aggregate_items(a), _aggregate_items(b)
    if a.kind != b.kind or ia is None or ib is None or len(ia) != 2 or len(ib) != 2:
        return "TIME shapes differ"
    try:
        ta = int(ia[0].value) + int(ia[1].value) / 1e6
        tb = int(ib[0].value) + int(ib[1].value) / 1e6
    except (TypeError, ValueError):
        return "TIME not numeric"
    if [x.kind for x in ia] != [x.kind for x in ib]:
        return "TIME item types differ"
    return None if abs(ta - tb) < TIME_TOLERANCE_S else "TIME differs by %.3f s" % (ta - tb)


def rule_integer_any(args, a, b, ctx):
    return None if _is_int(a) and _is_int(b) else _raw(a, b)


def parse_client_lines(text):
    lines = []
    for line in (text or b"").split(b"\n"):
        if not line:
            continue
        fields = {}
        for tok in line.split(b" "):
            k, _, v = tok.partition(b"=")
            fields[k] = v
        lines.append(tuple((f, fields.get(f.encode())) for f in CLIENT_FIELDS))
    return lines


def rule_client_lines(args, a, b, ctx):
    if a.kind != b.kind or a.kind not in ("$", "="):
        return _raw(a, b)
    la, lb = parse_client_lines(a.text()), parse_client_lines(b.text())
    if la != lb:
        return "client lines differ: redis %r, strata %r" % (la, lb)
    return None


def rule_hello(args, a, b, ctx):
    pa, pb = _pairs(a), _pairs(b)
    if a.kind != b.kind or pa is None or pb is None or len(pa) != len(pb):
        return _raw(a, b)
    for (ka, va), (kb, vb) in zip(pa, pb):
        if ka.raw != kb.raw:
            return "HELLO fields differ"
        if ka.value == b"version":
            continue
        if ka.value == b"id":
            if not (_is_int(va) and _is_int(vb)):
                return "HELLO id not an integer"
            continue
        if va.raw != vb.raw:
            return "HELLO %s differs" % ka.value.decode("latin-1")
    return None


def rule_config_get(args, a, b, ctx):
    pa, pb = _pairs(a), _pairs(b)
    if a.kind != b.kind or pa is None or pb is None:
        return _raw(a, b)

    def norm(pairs):
        d = {}
        for k, v in pairs:
            name = k.value
            if name not in ctx.common_params:
                continue
            d[name] = "<differs>" if name.decode("latin-1") in CONFIG_DIFFERS else v.raw
        return d
    da, db = norm(pa), norm(pb)
    if da != db:
        keys = sorted(set(da) | set(db))
        diff = {k: (da.get(k), db.get(k)) for k in keys if da.get(k) != db.get(k)}
        return "CONFIG GET differs (param: (redis, strata)): %r" % diff
    return None


def _command_entry(r):
    if r.is_null():
        return None
    items = _aggregate_items(r)
    if items is None or len(items) < 6:
        return ("?", r.raw)
    return tuple(x.raw for x in (items[0], items[1], items[3], items[4], items[5]))


def rule_command_info(args, a, b, ctx):
    ia, ib = _aggregate_items(a), _aggregate_items(b)
    if a.kind != b.kind or ia is None or ib is None:
        return _raw(a, b)
    names = [lower(x) for x in args[2:]]
    if not names:
        # Everything: Redis has many more commands. Compare the ones Strata has.
        ea = {e[0]: e for e in map(_command_entry, ia) if e}
        eb = {e[0]: e for e in map(_command_entry, ib) if e}
        common = set(ea) & set(eb)  # Strata's commands that Redis has too
        ea = {k: v for k, v in ea.items() if k in common}
        eb = {k: v for k, v in eb.items() if k in common}
        if ea == eb:
            return None
        bad = sorted(k for k in eb if ea.get(k) != eb[k])
        return "COMMAND entries differ: %r" % [(ea.get(k), eb[k]) for k in bad[:5]]
    if len(ia) != len(ib):
        return "COMMAND INFO counts differ"
    for x, y in zip(ia, ib):
        if _command_entry(x) != _command_entry(y):
            return "COMMAND INFO entry differs: redis %r, strata %r" % (_command_entry(x),
                                                                        _command_entry(y))
    return None


def rule_command_docs(args, a, b, ctx):
    pa, pb = _pairs(a), _pairs(b)
    if a.kind != b.kind or pa is None or pb is None:
        return _raw(a, b)

    def norm(pairs):
        out = {}
        for k, v in pairs:
            if k.value not in ctx.strata_commands or k.value not in ctx.redis_commands:
                continue
            fields = dict((x.value, y.raw) for x, y in (_pairs(v) or []))
            out[k.value] = (fields.get(b"group"), fields.get(b"since"))
        return out
    da, db = norm(pa), norm(pb)
    return None if da == db else "COMMAND DOCS differ: redis %r, strata %r" % (da, db)


def rule_command_list(args, a, b, ctx):
    ia, ib = _aggregate_items(a), _aggregate_items(b)
    if a.kind != b.kind or ia is None or ib is None:
        return _raw(a, b)
    common = ctx.strata_commands & ctx.redis_commands
    sa = {x.value for x in ia if x.value in common}
    sb = {x.value for x in ib if x.value in common}
    return None if sa == sb else "COMMAND LIST differs: only redis %r, only strata %r" % (
        sorted(sa - sb), sorted(sb - sa))


def _slowlog_entries(r):
    items = _aggregate_items(r)
    if items is None:
        return None
    out = []
    for e in items:
        f = _aggregate_items(e)
        if f is None or len(f) != 6:
            return None
        out.append((tuple(x.raw for x in (_aggregate_items(f[3]) or [])), f[5].raw))
    return out


def rule_slowlog(args, a, b, ctx):
    sub = lower(args[1]) if len(args) > 1 else b""
    if sub == b"len":
        if ctx.slowlog_exact:
            return _raw(a, b)
        return rule_integer_any(args, a, b, ctx)
    if sub != b"get":
        return _raw(a, b)
    ea, eb = _slowlog_entries(a), _slowlog_entries(b)
    if a.kind != b.kind or ea is None or eb is None:
        return _raw(a, b)
    if not ctx.slowlog_exact:
        return None
    return None if ea == eb else "SLOWLOG entries differ: redis %r, strata %r" % (ea, eb)


def _ttl_rule(tolerance):
    def rule(args, a, b, ctx):
        if not (_is_int(a) and _is_int(b)):
            return _raw(a, b)
        if a.value == b.value:
            return None
        if a.value >= 0 and b.value >= 0 and abs(a.value - b.value) <= tolerance:
            return None
        return "differ beyond the tolerance of %d" % tolerance
    return rule


def rule_keys(args, a, b, ctx):
    ia, ib = _aggregate_items(a), _aggregate_items(b)
    if a.kind != b.kind or ia is None or ib is None:
        return _raw(a, b)
    sa, sb = sorted(x.raw for x in ia), sorted(x.raw for x in ib)
    return None if sa == sb else "KEYS differ: redis %r, strata %r" % (sa, sb)


def rule_unordered_fields(args, a, b, ctx):
    # HGETALL/HKEYS/HVALS: Redis gives no order (insertion order for small hashes, hash order
    # for large ones); Strata gives field order. Compared as multisets: of (field, value)
    # pairs for HGETALL, of items for HKEYS/HVALS. The reply type must still match exactly
    # (array in RESP2, map for HGETALL in RESP3).
    if a.kind != b.kind:
        return _raw(a, b)
    if lower(args[0]) == b"hgetall":
        pa, pb = _pairs(a), _pairs(b)
        if pa is None or pb is None:
            return _raw(a, b)
        sa = sorted((x.raw, y.raw) for x, y in pa)
        sb = sorted((x.raw, y.raw) for x, y in pb)
    else:
        ia, ib = _aggregate_items(a), _aggregate_items(b)
        if ia is None or ib is None:
            return _raw(a, b)
        sa, sb = sorted(x.raw for x in ia), sorted(x.raw for x in ib)
    return None if sa == sb else "fields differ: redis %r, strata %r" % (sa, sb)


def rule_randomkey(args, a, b, ctx):
    if a.is_null() and b.is_null():
        return None if a.raw == b.raw else "nil encodings differ"
    if a.kind != b.kind or a.kind != "$" or a.value is None or b.value is None:
        return _raw(a, b)
    if ctx.exists is None:
        return None
    # Both keys are looked up on both servers (the same commands on each, so that SLOWLOG
    # and MONITOR stay comparable); each must exist on both, as their keyspaces are equal.
    found = ctx.exists([a.value, b.value])
    if not all(found[0]) or not all(found[1]):
        return "RANDOMKEY returned a missing key: EXISTS of (redis's, strata's) key is %r on " \
            "redis, %r on strata" % (found[0], found[1])
    return None


def rule_unordered_set(args, a, b, ctx):
    # SMEMBERS/SINTER/SUNION/SDIFF: Redis replies in its hash order, Strata in byte order.
    ia, ib = _aggregate_items(a), _aggregate_items(b)
    if a.kind != b.kind or ia is None or ib is None:
        return _raw(a, b)
    sa, sb = sorted(x.raw for x in ia), sorted(x.raw for x in ib)
    return None if sa == sb else "members differ: redis %r, strata %r" % (sa, sb)


def _count_arg(args, i):
    try:
        return int(args[i])
    except (IndexError, ValueError):
        return None


def _random_items(args, r, withvalues):
    """[(name, value or None)] of a random-pick reply, or None if malformed."""
    items = _aggregate_items(r)
    if items is None:
        return None
    if not withvalues:
        if any(x.kind != "$" or x.value is None for x in items):
            return None
        return [(x.value, None) for x in items]
    if r.kind == "*" and items and items[0].kind == "*":  # RESP3: [field, value] pairs
        pairs = [_aggregate_items(x) for x in items]
        if any(p is None or len(p) != 2 for p in pairs):
            return None
        return [(p[0].value, p[1].value) for p in pairs]
    if len(items) % 2:
        return None
    return [(items[j].value, items[j + 1].value) for j in range(0, len(items), 2)]


def rule_random_pick(args, a, b, ctx):
    """SPOP, SRANDMEMBER, HRANDFIELD: what does not depend on the random choice."""
    name = lower(args[0])
    if a.kind != b.kind:
        return _raw(a, b)
    if a.is_null() or b.is_null() or a.kind != "$" and _aggregate_items(a) is None:
        return _raw(a, b)
    count = _count_arg(args, 2) if len(args) > 2 else None
    withvalues = name == b"hrandfield" and len(args) > 3
    if a.kind == "$":
        la, lb = [(a.value, None)], [(b.value, None)]
    else:
        la, lb = _random_items(args, a, withvalues), _random_items(args, b, withvalues)
        if la is None or lb is None:
            return _raw(a, b)
        # The RESP3 shape of WITHVALUES (nested pairs) must be the same on both.
        if withvalues and len(la) and ([x.kind for x in _aggregate_items(a)][:1] !=
                                       [x.kind for x in _aggregate_items(b)][:1]):
            return "reply shapes differ"
    if len(la) != len(lb):
        return "%s returned %d items on redis, %d on strata" % (name.decode(), len(la), len(lb))
    if (count is None or count >= 0) and len({x for x, _ in lb}) != len(lb):
        return "%s returned repeated items on strata" % name.decode()
    if name == b"spop" or ctx.call_both is None or not lb:
        return None  # SPOP: checked by the resync that follows it (run.py)
    names = sorted({x for x, _ in la} | {x for x, _ in lb})
    check = [b"SMISMEMBER" if name == b"srandmember" else b"HMGET", args[1]] + names
    replies = ctx.call_both(check)
    for i, r in enumerate(replies):
        got = _aggregate_items(r)
        if got is None or len(got) != len(names):
            return "membership check failed: %r" % r.raw
        if name == b"srandmember":
            if any(x.value != 1 for x in got):
                return "SRANDMEMBER returned a non-member (server %d): %r" % (i, r.raw)
        else:
            values = dict(zip(names, (x.value for x in got)))
            for field, value in la + lb:
                if values.get(field) is None or (withvalues and values[field] != value):
                    return "HRANDFIELD returned a field or value not in the hash: %r" % field
def _zrand_picks(args, r):
    """[(member, score text or None)] of a ZRANDMEMBER reply, or None if malformed."""
    if r.kind == "$":
        return [(r.value, None)]
    items = _aggregate_items(r)
    if r.kind != "*" or items is None:
        return None
    withscores = len(args) >= 4
    if not withscores:
        return [(x.value, None) if x.kind == "$" else None for x in items]
    if items and items[0].kind == "*":  # RESP3: [member, score] pairs
        pairs = [tuple(x.value) if x.kind == "*" and len(x.value) == 2 else None
                 for x in items]
    else:
        if len(items) % 2:
            return None
        pairs = [(items[i], items[i + 1]) for i in range(0, len(items), 2)]
    out = []
    for p in pairs:
        if p is None or p[0].kind != "$" or p[1].kind not in ("$", ","):
            return None
        out.append((p[0].value, p[1].value))
    return out


def rule_zrandmember(args, a, b, ctx):
    # The picks are random: compare the shape, then check each pick against both servers.
    if a.kind != b.kind:
        return _raw(a, b)
    if a.is_null() or b.is_null():
        return None if a.raw == b.raw else "nil encodings differ"
    pa, pb = _zrand_picks(args, a), _zrand_picks(args, b)
    if pa is None or pb is None or None in pa or None in pb:
        return _raw(a, b)
    if len(pa) != len(pb):
        return "ZRANDMEMBER counts differ: redis %d, strata %d" % (len(pa), len(pb))
    kinds = lambda r: [x.kind for x in (_aggregate_items(r) or [])]
    if kinds(a) != kinds(b):
        return "ZRANDMEMBER reply shapes differ"
    try:
        count = int(args[2]) if len(args) > 2 else 1
    except ValueError:
        count = 1
    if count > len(pa):
        # Fewer picks than asked: the whole set, in Redis's order (highest score first).
        return _raw(a, b)
    if count > 0 and len(set(m for m, _ in pb)) != len(pb):
        return "ZRANDMEMBER (positive count) repeated a member on strata: %r" % (pb,)
    if ctx.zscores is None or not pa:
        return None
    members = sorted(set(m for m, _ in pa) | set(m for m, _ in pb))
    found = ctx.zscores(args[1], members)
    score_of = [dict(zip(members, f)) for f in found]
    for m, sc in pa + pb:
        for server in score_of:
            if server.get(m) is None:
                return "ZRANDMEMBER picked %r, not in the sorted set on both servers" % (m,)
            if sc is not None and sc != server[m]:
                return "ZRANDMEMBER score of %r is %r, ZMSCORE says %r" % (m, sc, server[m])
    return None


RULES = {
    (b"info", None): rule_info,
    (b"time", None): rule_time,
    (b"lastsave", None): rule_integer_any,
    (b"client", b"id"): rule_integer_any,
    (b"client", b"info"): rule_client_lines,
    (b"client", b"list"): rule_client_lines,
    (b"hello", None): rule_hello,
    (b"config", b"get"): rule_config_get,
    (b"command", None): rule_command_info,
    (b"command", b"info"): rule_command_info,
    (b"command", b"count"): rule_integer_any,
    (b"command", b"docs"): rule_command_docs,
    (b"command", b"list"): rule_command_list,
    (b"slowlog", b"get"): rule_slowlog,
    (b"slowlog", b"len"): rule_slowlog,
    (b"ttl", None): _ttl_rule(TTL_TOLERANCE_S),
    (b"expiretime", None): _ttl_rule(TTL_TOLERANCE_S),
    (b"pttl", None): _ttl_rule(PTTL_TOLERANCE_MS),
    (b"pexpiretime", None): _ttl_rule(PTTL_TOLERANCE_MS),
    (b"keys", None): rule_keys,
    (b"randomkey", None): rule_randomkey,
    (b"zrandmember", None): rule_zrandmember,
    (b"hgetall", None): rule_unordered_fields,
    (b"hkeys", None): rule_unordered_fields,
    (b"hvals", None): rule_unordered_fields,
    (b"smembers", None): rule_unordered_set,
    (b"sinter", None): rule_unordered_set,
    (b"sunion", None): rule_unordered_set,
    (b"sdiff", None): rule_unordered_set,
    (b"spop", None): rule_random_pick,
    (b"srandmember", None): rule_random_pick,
    (b"hrandfield", None): rule_random_pick,
}


def rule_for(args):
    if not args or not isinstance(args[0], bytes):
        return None
    name = lower(args[0])
    if name == b"command" and len(args) == 1:
        return RULES[(b"command", None)]
    if len(args) > 1 and isinstance(args[1], bytes) and (name, lower(args[1])) in RULES:
        return RULES[(name, lower(args[1]))]
    return RULES.get((name, None))


def compare(args, a, b, ctx):
    """Compares Redis's reply `a` with Strata's `b` to command `args` (resolved bytes).
    Returns None if they are equivalent, else a one-line description of the difference."""
    if isinstance(a, Special) or isinstance(b, Special):
        same = (type(a) is type(b) and a.value == b.value and a.raw == b.raw)
        return None if same else "replies differ"
    if a.is_error() or b.is_error():
        return _raw(a, b)
    rule = rule_for(args)
    if rule is None:
        return _raw(a, b)
    return rule(args, a, b, ctx)


# ---- SCAN ---------------------------------------------------------------------------------

def scan_shape(r):
    """(cursor bytes, [key bytes]) of a well-formed SCAN reply, or None."""
    items = _aggregate_items(r)
    if r.kind != "*" or items is None or len(items) != 2:
        return None
    cur, keys = items
    if cur.kind != "$" or cur.value is None or not re.fullmatch(rb"[0-9]+", cur.value):
        return None
    k = _aggregate_items(keys)
    if keys.kind != "*" or k is None or any(x.kind != "$" or x.value is None for x in k):
        return None
    return cur.value, [x.value for x in k]


def scan_cursor_index(args):
    """Where the cursor is: SCAN cursor ..., SSCAN/HSCAN/ZSCAN key cursor ..."""
    return 2 if lower(args[0]) in (b"sscan", b"hscan", b"zscan") else 1


def scan_items(args, items):
    """The comparable items of one scan reply: keys or members, (field, value) pairs for
    HSCAN and ZSCAN."""
    if lower(args[0]) in (b"hscan", b"zscan"):
        return {(items[j], items[j + 1]) for j in range(0, len(items) - 1, 2)}
    return set(items)


# ---- MONITOR ------------------------------------------------------------------------------

MONITOR_LINE = re.compile(rb"^\+\d+\.\d+ \[(\d+) [^\]]*\]")


def monitor_line(raw):
    """A MONITOR line with its timestamp and client address masked."""
    return MONITOR_LINE.sub(rb"+<time> [\1 <addr>]", raw)
