"""Random command generation: one generator function per command, grouped by family.

COMMANDS maps a command name to (family, weight, generator). A generator takes the Gen (the
seeded source of keys, values, numbers...) and returns either the argument list after the
command name, or a Step for commands the runner must treat specially (SCAN, MONITOR, CLIENT
REPLY, commands that need a second connection...). To add a family (say lists), write one
function per command (`def g_lpush(g): return [g.key()] + g.values(1, 4)`), register each
with `@command("lpush", "lists", weight)`, and add the family's share to FAMILY_WEIGHTS. Keys
are shared by every family, so WRONGTYPE paths get exercised without anything more.

Nothing here depends on server replies: a seed always yields the same sequence of steps.
"""

import random


class Ph:
    """A per-server placeholder argument, resolved by the runner when the command is sent:
    MYID/MYADDR (the main connection's CLIENT ID and addr), SIDEID/SIDEADDR (the side
    connection's, for steps with side='conn')."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "$" + self.name

    def __eq__(self, other):
        return isinstance(other, Ph) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


class Step:
    """One unit of the run. kind:
      'cmd'      one command, replies compared (after normalize.compare)
      'scan'     a SCAN: errors compared as is; a valid cursor-0 scan is iterated to the end
                 on both servers and the sets of keys compared
      'pipeline' several commands written at once, then a PING sentinel; everything before
                 the sentinel's reply is compared byte for byte (CLIENT REPLY OFF/SKIP)
      'monitor'  a second connection runs MONITOR while `body` runs on the main one; the
                 monitor lines (timestamps and addresses masked) are compared
      'side'     a second connection is opened first (for CLIENT KILL/LIST of another
                 client); afterwards whether it is still open is compared
      'reconnect' both main connections are replaced (after QUIT, a kill, a difference)
      'check'    the full state comparison (INFO keyspace, then every key's value and TTL)
    """

    def __init__(self, kind, args=None, body=None, auto=False):
        self.kind = kind
        self.args = args or []
        self.body = body or []
        # auto: run by the harness as a consequence of the step before it (HELLO 3 to keep a
        # RESP3 session, a reconnect after QUIT...). Shown in reproductions, skipped when
        # replaying (replaying the step before does it again).
        self.auto = auto

    def commands(self):
        if self.kind in ("pipeline",):
            return list(self.body)
        if self.kind == "monitor":
            return [["MONITOR"]] + list(self.body)
        return [self.args] if self.args else []

    def __repr__(self):
        pre = "(auto) " if self.auto else ""
        if self.kind in ("cmd", "scan", "side"):
            return pre + ("" if self.kind == "cmd" else self.kind + ": ") + fmt_args(self.args)
        if self.kind in ("pipeline", "monitor"):
            return pre + "%s [%s]" % (self.kind, ", ".join(fmt_args(a) for a in self.body))
        return pre + self.kind


def fmt_args(args, limit=60):
    """A command for people: each argument as a Python bytes literal without the b; long
    arguments abbreviated ('vvvv...'(20000 bytes))."""
    out = []
    for a in args:
        if isinstance(a, Ph):
            out.append(repr(a))
        elif len(a) > limit:
            if a == a[:1] * len(a):
                out.append("%s*%d" % (repr(bytes(a[:1]))[1:], len(a)))
            else:
                out.append("%s...(%d bytes)" % (repr(bytes(a[:limit]))[1:], len(a)))
        else:
            out.append(repr(bytes(a))[1:])
    return " ".join(out)


def b(x):
    return x if isinstance(x, (bytes, Ph)) else str(x).encode("latin-1")


# ---- value pools --------------------------------------------------------------------------

KEYS = [b"a", b"b", b"c", b"key:1", b"key:2", b"k\x00\r\n\xff", b"", b"\xc3\xa9t\xc3\xa9"]
KEY_WEIGHTS = [6, 6, 5, 4, 4, 2, 1, 1]

INT64_MAX = 9223372036854775807
EDGE_INTS = ["0", "1", "-1", "2", "10", "100", "-100", "9223372036854775807",
             "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
             "9223372036854775806", "-9223372036854775807", "18446744073709551615",
             "18446744073709551616", "4294967296", "2147483647", "2147483648", "-2147483648",
             "-2147483649", "01", "-0", "+1", " 1", "1 ", "0x10", "1e3", "1.0", "", "abc",
             "1\x00", "99999999999999999999999", "00", "--1", "-", "4611686018427387904"]
EDGE_FLOATS = ["0", "1", "1.5", "-1.5", "0.1", "1e10", "-1e10", "1e308", "1.7976931348623157e308",
               "1e400", "-1e400", "1e-400", "inf", "-inf", "+inf", "nan", "-nan", "Infinity",
               "3.0e3", "0x10", " 1", "1 ", "", "abc", "5.0000000000000001", "-0", "0.0",
               "1e-20", ".5", "5.", "9223372036854775807", "1e4932", "1e5000", "0.1e-4940",
               "1,5", "10.50", "-0.0"]
WORDS = ["hello", "world", "foo", "bar", "x", "Hello World", "a b c", "\x00", "\r\n", "\xff\xfe",
         "tab\there", "quote\"s", "back\\slash", "*", "?", "[a]", "%s%n", "é"]
# Unix times: far in the future (never reached during a run) or long past.
ABS_FUTURE_S = ["4102444800", "32503680000", "253402300799", "9999999999"]
ABS_PAST_S = ["1", "1000", "1600000000"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    # keys and databases
    def key(self):
        return self.r.choices(KEYS, KEY_WEIGHTS)[0]

    def keys(self, lo, hi):
        return [self.key() for _ in range(self.r.randint(lo, hi))]

    def db(self):
        if self.chance(0.9):
            return b(self.r.randint(0, 3))
        return b(self.pick(["15", "16", "-1", "2147483648", "abc", "", "01", "4294967296", "1.0"]))

    # values
    def value(self):
        x = self.r.random()
        if x < 0.3:
            return b(self.pick(WORDS))
        if x < 0.55:
            return b(self.pick(EDGE_INTS))
        if x < 0.65:
            return b(self.pick(EDGE_FLOATS))
        if x < 0.75:
            return b(str(self.r.randint(-1000, 1000)))
        if x < 0.85:
            return bytes(self.r.randrange(256) for _ in range(self.r.randint(0, 12)))
        if x < 0.9:
            return b"v" * self.r.choice([1, 100, 1000, 4096, 20000])
        return b"".join(b(self.pick(WORDS)) for _ in range(self.r.randint(0, 4)))

    def values(self, lo, hi):
        return [self.value() for _ in range(self.r.randint(lo, hi))]

    def integer(self):
        x = self.r.random()
        if x < 0.5:
            return b(self.pick(EDGE_INTS))
        if x < 0.8:
            return b(str(self.r.randint(-100, 100)))
        return b(str(self.r.randint(-(1 << 63), (1 << 63) - 1)))

    def float_(self):
        if self.chance(0.7):
            return b(self.pick(EDGE_FLOATS))
        return b(repr(self.r.uniform(-1e6, 1e6)))

    def index(self):
        """A string index for GETRANGE-like ranges."""
        x = self.r.random()
        if x < 0.6:
            return b(str(self.r.randint(-30, 30)))
        return b(self.pick(EDGE_INTS))

    def offset(self):
        """A SETRANGE offset: mostly small, sometimes at the size limits."""
        x = self.r.random()
        if x < 0.8:
            return b(str(self.r.randint(0, 40)))
        # Never 536870911 (a 512 MB string on each server): only offsets that fail the
        # 512 MB limit (proto-max-bulk-len is never raised above it) or stay near 1 MB.
        return b(self.pick(["-1", "1048575", "1048576", "536870912", "536870913",
                            "9223372036854775807", "4294967295", "abc", "", "-0", "01"]))

    def count(self):
        x = self.r.random()
        if x < 0.7:
            return b(str(self.r.randint(1, 20)))
        return b(self.pick(["0", "-1", "1", "1000", "9223372036854775807", "-9223372036854775808",
                            "abc", "", "1.5", "922337203685477580"]))

    # expiry times: relative ones never expire during a run, absolute ones are far away
    def secs_rel(self):
        if self.chance(0.8):
            return b(str(self.r.randint(100000, 10000000)))
        return b(self.pick(["0", "-1", "-100", "9223372036854775807", "9223372036854775",
                            "9223372036854776", "-9223372036854775808", "-9223372036854775",
                            "-9223372036854776", "abc", "1.5", "", " 100000", "4611686018427387"]))

    def ms_rel(self):
        if self.chance(0.8):
            return b(str(self.r.randint(100000000, 10000000000)))
        return b(self.pick(["0", "-1", "9223372036854775807", "9223372036854775000",
                            "-9223372036854775808", "abc", "1e9", "", "9223372036854775806"]))

    def secs_abs(self):
        x = self.r.random()
        if x < 0.6:
            return b(self.pick(ABS_FUTURE_S))
        if x < 0.85:
            return b(self.pick(ABS_PAST_S))
        return b(self.pick(["0", "-1", "9223372036854775807", "9223372036854775",
                            "-9223372036854775808", "abc", ""]))

    def ms_abs(self):
        x = self.r.random()
        if x < 0.6:
            return b(self.pick(ABS_FUTURE_S) + "000")
        if x < 0.85:
            return b(self.pick(ABS_PAST_S) + "000")
        return b(self.pick(["0", "-1", "9223372036854775807", "-9223372036854775808", "abc", "1"]))

    def pattern(self):
        if self.chance(0.7):
            return b(self.pick(["*", "a", "a*", "*a*", "key:*", "key:?", "k*", "[ab]", "[a-c]",
                                "[^a]*", "[!a]*", "\\a", "*\\", "[", "[a-", "?", "??", "*?*",
                                "k\x00*", "", "\xc3*", "*:*", "[]", "[\\]]*", "**", "a[",
                                "[c-a]", "key:[12]", "*2", "[^]", "\\*", "k?\r*"]))
        return self.key() + b(self.pick(["", "*", "?"]))

    def junk(self):
        return b(self.pick(["FOO", "", "x", "-1", "\x00", "NX", "XX", "EX", "GET", "1",
                            "withscores", "\r\n", "ABORT", "COUNT"]))

    def case(self, word):
        """The same word in a random letter case (options are case-insensitive)."""
        x = self.r.random()
        if x < 0.6:
            return b(word.upper())
        if x < 0.8:
            return b(word.lower())
        return b("".join(c.upper() if self.chance(0.5) else c.lower() for c in word))

    def shuffled(self, groups):
        self.r.shuffle(groups)
        return [a for grp in groups for a in grp]


# ---- the command table ----------------------------------------------------------------------

COMMANDS = {}
# A family's commands live here or in gen_<family>.py (imported at the end of this file).
FAMILY_WEIGHTS = {"strings": 40, "keyspace": 30, "hashes": 20, "lists": 20, "sets": 15,
                  "zsets": 20, "transactions": 6, "pubsub": 4, "connection": 8, "server": 9, "unknown": 3}


def restrict_families(names):
    """Generates only these families (run.py --families)."""
    unknown = [n for n in names if n not in FAMILY_WEIGHTS]
    if unknown:
        raise RuntimeError("unknown families %s (known: %s)"
                           % (", ".join(unknown), ", ".join(FAMILY_WEIGHTS)))
    for n in list(FAMILY_WEIGHTS):
        if n not in names:
            del FAMILY_WEIGHTS[n]


def command(name, family, weight=10):
    def reg(fn):
        COMMANDS[name] = (family, weight, fn)
        return fn
    return reg


# -- strings --

def set_options(g, allow_set=True):
    opts = []
    for _ in range(g.r.choice([0, 0, 1, 1, 1, 2, 2, 3])):
        x = g.r.random()
        if x < 0.15:
            opts.append([g.case("EX"), g.secs_rel()])
        elif x < 0.3:
            opts.append([g.case("PX"), g.ms_rel()])
        elif x < 0.4:
            opts.append([g.case("EXAT"), g.secs_abs()])
        elif x < 0.5:
            opts.append([g.case("PXAT"), g.ms_abs()])
        elif x < 0.6:
            opts.append([g.case("NX")])
        elif x < 0.7:
            opts.append([g.case("XX")])
        elif x < 0.8:
            opts.append([g.case("GET")])
        elif x < 0.88:
            opts.append([g.case("KEEPTTL")])
        elif x < 0.92:
            opts.append([g.case("PERSIST")])
        elif x < 0.96:
            opts.append([g.case(g.pick(["EX", "PX", "EXAT", "PXAT"]))])  # missing its value
        else:
            opts.append([g.junk()])
    return [a for o in opts for a in o]


@command("get", "strings", 12)
def g_get(g):
    return [g.key()]


@command("set", "strings", 14)
def g_set(g):
    return [g.key(), g.value()] + set_options(g)


@command("setnx", "strings", 4)
def g_setnx(g):
    return [g.key(), g.value()]


@command("setex", "strings", 4)
def g_setex(g):
    return [g.key(), g.secs_rel(), g.value()]


@command("psetex", "strings", 4)
def g_psetex(g):
    return [g.key(), g.ms_rel(), g.value()]


@command("getset", "strings", 4)
def g_getset(g):
    return [g.key(), g.value()]


@command("getdel", "strings", 4)
def g_getdel(g):
    return [g.key()]


@command("getex", "strings", 6)
def g_getex(g):
    opts = []
    for _ in range(g.r.choice([0, 1, 1, 1, 2])):
        x = g.r.random()
        if x < 0.2:
            opts += [g.case("EX"), g.secs_rel()]
        elif x < 0.4:
            opts += [g.case("PX"), g.ms_rel()]
        elif x < 0.5:
            opts += [g.case("EXAT"), g.secs_abs()]
        elif x < 0.6:
            opts += [g.case("PXAT"), g.ms_abs()]
        elif x < 0.8:
            opts += [g.case("PERSIST")]
        elif x < 0.9:
            opts += [g.case(g.pick(["KEEPTTL", "NX", "XX", "GET"]))]
        else:
            opts += [g.junk()]
    return [g.key()] + opts


@command("mget", "strings", 5)
def g_mget(g):
    return g.keys(1, 5)


def mset_args(g):
    args = []
    for _ in range(g.r.randint(1, 4)):
        args += [g.key(), g.value()]
    if g.chance(0.1):
        args.append(g.key())  # odd number of arguments
    return args


@command("mset", "strings", 5)
def g_mset(g):
    return mset_args(g)


@command("msetnx", "strings", 4)
def g_msetnx(g):
    return mset_args(g)


@command("incr", "strings", 6)
def g_incr(g):
    return [g.key()]


@command("decr", "strings", 5)
def g_decr(g):
    return [g.key()]


@command("incrby", "strings", 6)
def g_incrby(g):
    return [g.key(), g.integer()]


@command("decrby", "strings", 5)
def g_decrby(g):
    return [g.key(), g.integer()]


@command("incrbyfloat", "strings", 6)
def g_incrbyfloat(g):
    return [g.key(), g.float_()]


@command("append", "strings", 6)
def g_append(g):
    return [g.key(), g.value()]


@command("strlen", "strings", 4)
def g_strlen(g):
    return [g.key()]


@command("getrange", "strings", 5)
def g_getrange(g):
    return [g.key(), g.index(), g.index()]


@command("substr", "strings", 2)
def g_substr(g):
    return [g.key(), g.index(), g.index()]


@command("setrange", "strings", 5)
def g_setrange(g):
    return [g.key(), g.offset(), g.value() if g.chance(0.85) else b""]


# -- keyspace --

@command("del", "keyspace", 8)
def g_del(g):
    return g.keys(1, 4)


@command("unlink", "keyspace", 4)
def g_unlink(g):
    return g.keys(1, 4)


@command("exists", "keyspace", 7)
def g_exists(g):
    return g.keys(1, 4)


@command("touch", "keyspace", 3)
def g_touch(g):
    return g.keys(1, 4)


@command("type", "keyspace", 5)
def g_type(g):
    return [g.key()]


@command("keys", "keyspace", 4)
def g_keys(g):
    return [g.pattern()]


@command("scan", "keyspace", 5)
def g_scan(g):
    x = g.r.random()
    if x < 0.8:
        cursor = b"0"
    else:
        cursor = b(g.pick(["abc", "-1", "18446744073709551615", "18446744073709551616", "",
                           " 0", "0x0", "1.0", "+0", "00", "17", "123456789"]))
    opts = []
    for _ in range(g.r.choice([0, 1, 1, 2, 3])):
        y = g.r.random()
        if y < 0.35:
            opts.append([g.case("MATCH"), g.pattern()])
        elif y < 0.7:
            opts.append([g.case("COUNT"), g.count()])
        elif y < 0.9:
            opts.append([g.case("TYPE"), b(g.pick(["string", "STRING", "list", "hash", "set",
                                                    "zset", "stream", "none", "foo", ""]))])
        elif y < 0.95:
            opts.append([g.case(g.pick(["MATCH", "COUNT", "TYPE"]))])
        else:
            opts.append([g.junk(), g.junk()])
    return Step("scan", [b"SCAN", cursor] + [a for o in opts for a in o])


@command("randomkey", "keyspace", 3)
def g_randomkey(g):
    return []


@command("rename", "keyspace", 5)
def g_rename(g):
    return [g.key(), g.key()]


@command("renamenx", "keyspace", 4)
def g_renamenx(g):
    return [g.key(), g.key()]


@command("copy", "keyspace", 5)
def g_copy(g):
    opts = []
    for _ in range(g.r.choice([0, 0, 1, 1, 2, 3])):
        x = g.r.random()
        if x < 0.45:
            opts.append([g.case("DB"), g.db()])
        elif x < 0.85:
            opts.append([g.case("REPLACE")])
        elif x < 0.92:
            opts.append([g.case("DB")])
        else:
            opts.append([g.junk()])
    return [g.key(), g.key()] + g.shuffled(opts)


@command("move", "keyspace", 4)
def g_move(g):
    return [g.key(), g.db()]


def expire_options(g):
    opts = []
    for _ in range(g.r.choice([0, 0, 0, 1, 1, 2])):
        opts.append(g.case(g.pick(["NX", "XX", "GT", "LT"])) if g.chance(0.9) else g.junk())
    return opts


@command("expire", "keyspace", 6)
def g_expire(g):
    return [g.key(), g.secs_rel()] + expire_options(g)


@command("pexpire", "keyspace", 5)
def g_pexpire(g):
    return [g.key(), g.ms_rel()] + expire_options(g)


@command("expireat", "keyspace", 5)
def g_expireat(g):
    return [g.key(), g.secs_abs()] + expire_options(g)


@command("pexpireat", "keyspace", 5)
def g_pexpireat(g):
    return [g.key(), g.ms_abs()] + expire_options(g)


@command("ttl", "keyspace", 6)
def g_ttl(g):
    return [g.key()]


@command("pttl", "keyspace", 5)
def g_pttl(g):
    return [g.key()]


@command("expiretime", "keyspace", 4)
def g_expiretime(g):
    return [g.key()]


@command("pexpiretime", "keyspace", 4)
def g_pexpiretime(g):
    return [g.key()]


@command("persist", "keyspace", 5)
def g_persist(g):
    return [g.key()]


@command("dbsize", "keyspace", 4)
def g_dbsize(g):
    return []


@command("flushdb", "keyspace", 1)
def g_flushdb(g):
    return [] if g.chance(0.5) else [g.case(g.pick(["ASYNC", "SYNC"])) if g.chance(0.8)
                                      else g.junk()]


@command("flushall", "keyspace", 0.5)
def g_flushall(g):
    args = [] if g.chance(0.5) else [g.case(g.pick(["ASYNC", "SYNC"]))]
    if g.chance(0.15):
        args.append(g.junk())
    return args


@command("swapdb", "keyspace", 2)
def g_swapdb(g):
    return [g.db(), g.db()]


@command("select", "keyspace", 4)
def g_select(g):
    return [g.db()]


# -- hashes --

FIELDS = [b"f", b"g", b"h", b"field:1", b"", b"\x00\r\n", b"\xc3\xa9"]


def field(g):
    return g.pick(FIELDS) if g.chance(0.9) else g.value()


def field_values(g, lo, hi):
    return [a for _ in range(g.r.randint(lo, hi)) for a in (field(g), g.value())]


@command("hset", "hashes", 12)
def g_hset(g):
    args = [g.key()] + field_values(g, 1, 4)
    if g.chance(0.05):
        args.append(field(g))  # an odd count
    return args


@command("hmset", "hashes", 3)
def g_hmset(g):
    return [g.key()] + field_values(g, 0 if g.chance(0.05) else 1, 3)


@command("hsetnx", "hashes", 4)
def g_hsetnx(g):
    return [g.key(), field(g), g.value()]


@command("hget", "hashes", 10)
def g_hget(g):
    return [g.key(), field(g)]


@command("hmget", "hashes", 5)
def g_hmget(g):
    return [g.key()] + [field(g) for _ in range(g.r.randint(0 if g.chance(0.05) else 1, 4))]


@command("hgetall", "hashes", 5)
def g_hgetall(g):
    return [g.key()]


@command("hkeys", "hashes", 3)
def g_hkeys(g):
    return [g.key()]


@command("hvals", "hashes", 3)
def g_hvals(g):
    return [g.key()]


@command("hlen", "hashes", 4)
def g_hlen(g):
    return [g.key()]


@command("hdel", "hashes", 6)
def g_hdel(g):
    return [g.key()] + [field(g) for _ in range(g.r.randint(0 if g.chance(0.05) else 1, 3))]


@command("hexists", "hashes", 3)
def g_hexists(g):
    return [g.key(), field(g)]


@command("hstrlen", "hashes", 3)
def g_hstrlen(g):
    return [g.key(), field(g)]


@command("hincrby", "hashes", 5)
def g_hincrby(g):
    return [g.key(), field(g), g.integer()]


@command("hincrbyfloat", "hashes", 4)
def g_hincrbyfloat(g):
    return [g.key(), field(g), g.float_()]


# -- connection --

@command("ping", "connection", 5)
def g_ping(g):
    return [] if g.chance(0.4) else ([g.value()] if g.chance(0.9) else [g.value(), g.value()])


@command("echo", "connection", 4)
def g_echo(g):
    return [g.value()]


@command("quit", "connection", 0.3)
def g_quit(g):
    return [] if g.chance(0.8) else [g.junk()]


@command("auth", "connection", 2)
def g_auth(g):
    return g.pick([[g.value()], [b"default", g.value()], [g.value(), g.value()],
                   [b"default", b"x", b"y"]])


@command("hello", "connection", 3)
def g_hello(g):
    args = []
    if g.chance(0.85):
        args.append(b(g.pick(["2", "3", "3", "1", "4", "0", "-1", "abc", "", "3.0",
                              "9223372036854775808"])))
        for _ in range(g.r.choice([0, 0, 1, 2])):
            x = g.r.random()
            if x < 0.4:
                args += [g.case("AUTH"), b"default" if g.chance(0.7) else g.value(), g.value()]
            elif x < 0.8:
                args += [g.case("SETNAME"), client_name(g)]
            elif x < 0.9:
                args += [g.case(g.pick(["AUTH", "SETNAME"]))]
            else:
                args.append(g.junk())
    return args


@command("reset", "connection", 0.5)
def g_reset(g):
    return []


@command("readonly", "connection", 1)
def g_readonly(g):
    return []


def client_name(g):
    return b(g.pick(["conn1", "my-name", "", "has space", "new\nline", "\x00", "é", "ok_name~",
                     "a" * 100, "{}[]"]))


@command("client", "connection", 6)
def g_client(g):
    x = g.r.random()
    if x < 0.12:
        return [g.case("ID")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.24:
        return [g.case("SETNAME"), client_name(g)] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.34:
        return [g.case("GETNAME")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.42:
        return [g.case("INFO")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.52:
        opts = []
        for _ in range(g.r.choice([0, 0, 1, 1, 2])):
            y = g.r.random()
            if y < 0.4:
                opts += [g.case("TYPE"), b(g.pick(["normal", "NORMAL", "master", "replica",
                                                    "slave", "pubsub", "foo"]))]
            elif y < 0.8:
                opts += [g.case("ID")] + g.pick([[Ph("MYID")], [b"999999"], [b"0"], [b"-1"],
                                                  [b"abc"], [Ph("MYID"), b"12345"], []])
            else:
                opts.append(g.junk())
        return [g.case("LIST")] + opts
    if x < 0.64:
        return client_kill(g)
    if x < 0.72:
        return client_reply(g)
    if x < 0.8:
        return [g.case(g.pick(["NO-EVICT", "NO-TOUCH"]))] + g.pick(
            [[b"on"], [b"off"], [b"ON"], [b"maybe"], [], [b"on", b"x"]])
    if x < 0.88:
        return [g.case("SETINFO")] + g.pick(
            [[b"lib-name", client_name(g)], [b"LIB-VER", b"1.2.3"], [b"lib-foo", b"x"],
             [b"lib-name"], [b"lib-name", b"x", b"y"]])
    if x < 0.93:
        return [g.case("HELP")] + ([] if g.chance(0.8) else [g.junk()])
    if x < 0.97:
        return [b(g.pick(["FOO", "", "nosuch\x00", "NOSUCH"]))]
    return []


def client_kill(g):
    """CLIENT KILL in forms that never kill the main connection unless it says so (then the
    runner reconnects both), or that kill a side connection opened for the step."""
    x = g.r.random()
    if x < 0.3:
        # Kill a second connection, by ID or address, in the new and the old form.
        form = g.pick([[b"ID", Ph("SIDEID")], [b"ADDR", Ph("SIDEADDR")], [Ph("SIDEADDR")],
                       [b"ID", Ph("SIDEID"), b"SKIPME", b"yes"],
                       [b"TYPE", b"normal"], [b"USER", b"default"], [b"MAXAGE", b"0"]])
        return Step("side", [b"CLIENT", g.case("KILL")] + form)
    if x < 0.4:
        # Kill ourselves: the runner sees both connections close and reconnects.
        form = g.pick([[b"ID", Ph("MYID"), b"SKIPME", b"no"], [Ph("MYADDR")],
                       [b"ADDR", Ph("MYADDR"), b"SKIPME", b"no"]])
        return [g.case("KILL")] + form
    opts = []
    for _ in range(g.r.randint(1, 3)):
        y = g.r.random()
        if y < 0.2:
            opts += [b"ID", b(g.pick(["999999", "0", "-1", "abc", ""]))]
        elif y < 0.35:
            opts += [b"ADDR", b(g.pick(["1.2.3.4:5", "127.0.0.1:1", "foo", ""]))]
        elif y < 0.45:
            opts += [b"LADDR", b(g.pick(["1.2.3.4:5", "foo"]))]
        elif y < 0.6:
            opts += [b"TYPE", b(g.pick(["normal", "master", "replica", "slave", "pubsub",
                                        "foo"]))]
        elif y < 0.7:
            opts += [b"USER", b(g.pick(["default", "nobody"]))]
        elif y < 0.8:
            opts += [b"SKIPME", b(g.pick(["yes", "YES", "maybe"]))]
        elif y < 0.9:
            opts += [b"MAXAGE", b(g.pick(["100000", "-1", "abc", "9223372036854775807"]))]
        else:
            opts.append(g.junk())
    if g.chance(0.15):
        opts = [b(g.pick(["1.2.3.4:5", "nonsense", ""]))]
    # A kill that could match the main connection (TYPE normal, USER default, MAXAGE -1,
    # SKIPME yes absent...) always keeps SKIPME yes, the default.
    return [g.case("KILL")] + opts


def client_reply(g):
    mode = g.pick(["OFF", "SKIP", "SKIP", "ON", "FOO"])
    body = [[b"CLIENT", b"REPLY", g.case(mode)]]
    for _ in range(g.r.randint(1, 3)):
        body.append(random_plain_command(g))
    if g.chance(0.5):
        body.append([b"CLIENT", b"REPLY", g.case(g.pick(["SKIP", "OFF"]))])
        body.append(random_plain_command(g))
    body.append([b"CLIENT", b"REPLY", b"ON"])
    return Step("pipeline", body=body)


# -- server --

INFO_SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu",
                 "modules", "errorstats", "cluster", "keyspace", "commandstats", "latencystats",
                 "all", "everything", "default", "KEYSPACE", "foo", ""]


@command("info", "server", 3)
def g_info(g):
    return [b(g.pick(INFO_SECTIONS)) for _ in range(g.r.choice([0, 1, 1, 1, 2, 3]))]


# Parameters Strata and Redis both know, with values to try. Parameters that would stop the
# run (port, bind, dir, requirepass, tiny timeouts or output limits) are not set.
CONFIG_VALUES = {
    "slowlog-log-slower-than": ["0", "-1", "10000", "-2", "abc", "1000000",
                                "9223372036854775807", ""],
    "slowlog-max-len": ["0", "1", "3", "128", "-1", "abc", "2147483648"],
    "hz": ["1", "10", "100", "500", "501", "0", "-1", "abc"],
    "loglevel": ["notice", "warning", "verbose", "debug", "NOTICE", "nothing", "foo", ""],
    "appendfsync": ["everysec", "always", "no", "EVERYSEC", "foo"],
    "tcp-keepalive": ["0", "300", "-1", "abc", "2147483648"],
    "proto-max-bulk-len": ["1mb", "512mb", "1048576", "1048575", "100", "abc", "-1",
                           "1MB", "1m", "0"],
    "client-query-buffer-limit": ["1mb", "1gb", "1048575", "abc", "2gb"],
    "maxclients": ["10000", "1000", "0", "-1", "abc"],
    "timeout": ["0", "100000", "-1", "abc"],
    "protected-mode": ["yes", "no", "YES", "maybe", ""],
    "client-output-buffer-limit": ["normal 0 0 0", "normal 512mb 0 0", "normal 1gb 2gb 60",
                                   "foo 1 2 3", "normal 1 2", "normal 0 0 -1",
                                   "normal 0 0 0 pubsub 32mb 8mb 60"],
    "requirepass": [""],
    "appendonly": ["no"],
    "save": [""],
    "databases": ["16", "4"],
    "daemonize": ["no", "yes"],
    "enable-debug-command": ["yes", "no"],
    "logfile": ["x.log"],
    "pidfile": ["x.pid"],
    "tcp-backlog": ["511"],
}
# Parameters whose server values are restored before a replay (see run.py).
MUTABLE_CONFIG = ["slowlog-log-slower-than", "slowlog-max-len", "hz", "loglevel", "appendfsync",
                  "tcp-keepalive", "proto-max-bulk-len", "client-query-buffer-limit", "maxclients",
                  "timeout", "protected-mode", "client-output-buffer-limit"]
CONFIG_PATTERNS = ["*", "*max*", "slowlog-*", "hz", "HZ", "port", "dir", "save", "appendonly",
                   "nosuch", "", "[a-c]*", "maxmemory", "databases", "bind", "*-len",
                   "client-output-buffer-limit", "proto-max-bulk-len", "timeout", "loglevel",
                   "appendfsync", "requirepass", "maxclients", "*e?able*"]


@command("config", "server", 5)
def g_config(g):
    x = g.r.random()
    if x < 0.45:
        return [g.case("GET")] + [b(g.pick(CONFIG_PATTERNS)) for _ in range(g.r.choice([0, 1, 1, 1, 2, 3]))]
    if x < 0.85:
        args = [g.case("SET")]
        for _ in range(g.r.choice([1, 1, 1, 2, 2, 3])):
            name = g.pick(list(CONFIG_VALUES)) if g.chance(0.95) else g.pick(["nosuch", ""])
            args += [b(name if g.chance(0.8) else name.upper()),
                     b(g.pick(CONFIG_VALUES.get(name, ["1"])))]
        if g.chance(0.08):
            args.pop()
        return args
    if x < 0.9:
        return [g.case("RESETSTAT")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.93:
        return [g.case("REWRITE")]
    if x < 0.96:
        return [g.case("HELP")]
    return [b(g.pick(["FOO", "", "GETX"]))]


def implemented_name(g):
    names = [n for n in COMMANDS if n not in ("<unknown>", "compact")]
    # Names Strata implements, or no server knows (Redis's other commands would differ).
    return b(g.pick(names)) if g.chance(0.85) else b(g.pick(["nosuch", "", "GET", "Config"]))


@command("command", "server", 3)
def g_command(g):
    x = g.r.random()
    if x < 0.05:
        return []
    if x < 0.15:
        return [g.case("COUNT")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.35:
        return [g.case("INFO")] + [implemented_name(g) for _ in range(g.r.choice([1, 1, 2, 3]))]
    if x < 0.5:
        return [g.case("DOCS")] + [implemented_name(g) for _ in range(g.r.choice([1, 1, 2]))]
    if x < 0.6:
        return [g.case("LIST")] + g.pick([[], [b"FILTERBY", b"PATTERN", b(g.pick(["g*", "*",
                                                                                   "c?py", "[s]et"]))],
                                           [b"FILTERBY", b"pattern", b"*"], [b"FILTERBY"],
                                           [b"FOO"]])
    if x < 0.9:
        # GETKEYS over a random command line of an implemented command.
        line = random_plain_command(g)
        return [g.case("GETKEYS")] + line
    if x < 0.95:
        return [g.case("HELP")]
    return [b(g.pick(["FOO", ""]))]


@command("time", "server", 1)
def g_time(g):
    return []


@command("lastsave", "server", 1)
def g_lastsave(g):
    return []


@command("save", "server", 0.3)
def g_save(g):
    return [] if g.chance(0.9) else [g.junk()]


@command("bgsave", "server", 0.3)
def g_bgsave(g):
    return g.pick([[], [], [b"SCHEDULE"], [b"schedule"], [g.junk()], [b"SCHEDULE", b"x"]])


@command("shutdown", "server", 0.5)
def g_shutdown(g):
    # Only forms that must not shut Redis down: ABORT (nothing in progress), an unknown
    # option, or an illegal combination. Redis validates all options before acting.
    x = g.r.random()
    if x < 0.4:
        return [b"ABORT"]
    opts = [g.case(g.pick(["NOSAVE", "SAVE", "NOW", "FORCE", "ABORT"]))
            for _ in range(g.r.randint(0, 2))]
    if x < 0.7:
        opts.insert(g.r.randint(0, len(opts)), b(g.pick(["FOO", "", "\x00"])))
    elif x < 0.85:
        opts = [b"SAVE", b"NOSAVE"] + opts
        g.r.shuffle(opts)
    else:
        opts = [b"ABORT", g.case(g.pick(["NOSAVE", "SAVE", "NOW", "FORCE"]))]
        g.r.shuffle(opts)
    return opts


@command("debug", "server", 1)
def g_debug(g):
    return g.pick([[b"SLEEP", b"0"], [b"sleep", b"0.001"], [b"SLEEP", b"abc"], [b"RELOAD"],
                   [b"SET-ACTIVE-EXPIRE", b"1"], [b"set-active-expire", b"0"], [b"HELP"],
                   [b"NOSUCH"], [b""], [b"SLEEP"], [b"RELOAD", b"FOO"]])


@command("slowlog", "server", 2)
def g_slowlog(g):
    x = g.r.random()
    if x < 0.5:
        return [g.case("GET")] + g.pick([[], [g.count()], [b"-1"], [b"-2"], [b"1", b"2"]])
    if x < 0.7:
        return [g.case("LEN")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.85:
        return [g.case("RESET")] + ([] if g.chance(0.9) else [g.junk()])
    if x < 0.93:
        return [g.case("HELP")]
    return [b(g.pick(["FOO", ""]))]


@command("monitor", "server", 0.5)
def g_monitor(g):
    return Step("monitor", body=[monitor_body_command(g) for _ in range(g.r.randint(1, 4))])


def monitor_body_command(g):
    """What a MONITOR step runs: mostly data commands, sometimes commands MONITOR must
    redact (AUTH, HELLO AUTH), must not show (CONFIG, admin), or shows in another db."""
    if g.chance(0.7):
        return random_plain_command(g)
    return g.pick([[b"AUTH", g.value()], [b"AUTH", b"default", g.value()],
                   [b"HELLO", b"3", b"AUTH", b"default", g.value()],
                   [b"HELLO", b"2", b"SETNAME", b"mon"], [b"SELECT", g.db()], [b"PING"],
                   [b"ECHO", g.value()], [b"CLIENT", b"SETNAME", client_name(g)],
                   [b"CLIENT", b"ID"], [b"CONFIG", b"GET", b"hz"], [b"INFO", b"keyspace"],
                   [b"DBSIZE"], [b"FOOBAR", g.value()], [b"GET"], [b"DEBUG", b"SLEEP", b"0"],
                   [b"SLOWLOG", b"LEN"], [b"COMMAND", b"COUNT"], [b"TIME"]])


@command("function", "server", 1)
def g_function(g):
    # Only the subcommands Strata implements (FLUSH, LIST) and unknown ones.
    return g.pick([[b"FLUSH"], [b"FLUSH", b"ASYNC"], [b"flush", b"sync"], [b"FLUSH", b"FOO"],
                   [b"FLUSH", b"SYNC", b"x"], [b"LIST"], [b"LIST", b"WITHCODE"],
                   [b"LIST", b"LIBRARYNAME", b"x"], [b"LIST", b"FOO"], [b"NOSUCH"], [b""],
                   [b"LIST", b"LIBRARYNAME"], [b"list", b"withcode", b"libraryname", b"*"]])


@command("compact", "server", 0.2)
def g_compact(g):
    return []


# -- commands no server knows --

@command("<unknown>", "unknown", 1)
def g_unknown(g):
    return None  # handled in make_step


UNKNOWN_NAMES = ["FOOBAR", "xyzzy", "", "\x00", "NOSUCH\x00", "g\r\net", "s\xffet", "a" * 200,
                 "CONFIG|GET", "client|id"]


def random_plain_command(g):
    """A plain command (name + args) from the string and keyspace families, for bodies of
    compound steps and COMMAND GETKEYS."""
    # Not the commands whose replies are compared loosely (normalize.py): compound steps
    # compare their replies byte for byte.
    names = [n for n, (fam, w, fn) in COMMANDS.items() if fam in ("strings", "keyspace")
             and n not in ("scan", "select", "randomkey", "keys", "ttl", "pttl", "expiretime",
                           "pexpiretime")]
    while True:
        name = g.pick(names)
        args = COMMANDS[name][2](g)
        if isinstance(args, list):
            return [b(name.upper())] + args


# Commands whose arguments are never dropped or added at random: SHUTDOWN without its bad
# option would shut both servers down, DEBUG SLEEP with a random number could sleep for hours,
# CONFIG SET requirepass with a random value would lock the harness out.
NO_MUTATION = {"shutdown", "debug", "config"}


def make_step(g):
    """The next step of a run."""
    # Families with no commands yet (a gen_<family>.py not written) are skipped.
    fams = [f for f in FAMILY_WEIGHTS
            if f == "unknown" or any(v[0] == f for v in COMMANDS.values())]
    fam = g.r.choices(fams, [FAMILY_WEIGHTS[f] for f in fams])[0]
    if fam == "unknown":
        args = [b(g.pick(UNKNOWN_NAMES))] + g.values(0, 3)
        return Step("cmd", args)
    names = [n for n, v in COMMANDS.items() if v[0] == fam]
    name = g.r.choices(names, [COMMANDS[n][1] for n in names])[0]
    res = COMMANDS[name][2](g)
    if isinstance(res, Step):
        return res
    name_b = g.case(name)
    args = [name_b] + res
    if name in NO_MUTATION:
        return Step("cmd", args)
    # Now and then an arity or argument-count error: drop or add arguments.
    if g.chance(0.03) and len(args) > 1:
        args = args[:g.r.randint(1, len(args) - 1)]
    elif g.chance(0.03):
        args = args + [g.value() for _ in range(g.r.randint(1, 2))]
    return Step("cmd", args)


# The families kept in their own files register their commands on import.
import gen_lists  # noqa: E402,F401
import gen_sets  # noqa: E402,F401
import gen_zsets  # noqa: E402,F401
import gen_transactions  # noqa: E402,F401
import gen_pubsub  # noqa: E402,F401
