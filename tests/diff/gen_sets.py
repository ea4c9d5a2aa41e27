"""Differential-test generators of the sets family (generators.py imports this file), and
HRANDFIELD/HSCAN of the hashes family.

Members come from a small pool (so SREM, SISMEMBER and the set algebra hit existing
members), with integers (Redis keeps small all-integer sets as an intset), binary and empty
members, and now and then a big SADD (over 512 members: Redis's hashtable encoding, a
cursor that is not 0 after one SSCAN call; over 1024: Strata's seek-based random choice).

Counts that could make a reply enormous are kept away from keys that may hold a set or a
hash: SRANDMEMBER/HRANDFIELD with a huge negative count (repeats allowed) would make both
servers write up to 2^63 replies, so those go to a key no generator ever creates, where
only their argument checks run, and the two commands are exempt from the random arity
mutation (whose extra argument could be such a count).
"""

from generators import NO_MUTATION, Step, b, command

# The random argument added by make_step's arity mutation can be a huge negative count
# (EDGE_INTS): these generate their own arity errors instead.
NO_MUTATION.update({"srandmember", "hrandfield"})

MEMBERS = ["a", "b", "c", "d", "e", "1", "2", "3", "10", "-1", "007", "", "x y", "\x00",
           "\xff\xfe", "hello", "world", "9223372036854775807", "9223372036854775808",
           "1.5", "é"]

# A key no generator writes: huge negative counts are safe there.
NEVER_SET = b"never:set"


def member(g):
    if g.chance(0.85):
        return b(g.pick(MEMBERS))
    return g.value()


def members(g, lo, hi):
    return [member(g) for _ in range(g.r.randint(lo, hi))]


def big_members(g):
    n = g.pick([100, 600, 1100])
    if g.chance(0.5):
        return [b(i) for i in range(n)]  # integers: an intset in Redis up to 512
    return [b"m:%d" % i for i in range(n)]


def set_count(g):
    """A count for SPOP: mostly small, sometimes at the parsing edges (all harmless: a huge
    positive count is capped at the set's size)."""
    x = g.r.random()
    if x < 0.75:
        return b(g.r.randint(0, 12))
    return b(g.pick(["-1", "-5", "abc", "", "1.5", "9223372036854775807",
                     "9223372036854775808", "-9223372036854775808", " 1", "01", "1000"]))


def rand_count(g):
    """(key, count) for SRANDMEMBER/HRANDFIELD. Negative counts return that many picks with
    repeats: kept small on real keys; huge only on NEVER_SET."""
    x = g.r.random()
    if x < 0.45:
        return g.key(), b(g.r.randint(0, 15))
    if x < 0.75:
        return g.key(), b(g.r.randint(-15, -1))
    if x < 0.85:
        return g.key(), b(g.pick(["9223372036854775807", "4611686018427387903",
                                  "4611686018427387904", "-9223372036854775808", "abc", "",
                                  "1.5", "+1", "-0", "1000"]))
    return NEVER_SET, b(g.pick(["-9223372036854775807", "-4611686018427387903",
                                "-4611686018427387904", "-9223372036854775808",
                                "-1000000", "9223372036854775807"]))


@command("sadd", "sets", 14)
def g_sadd(g):
    if g.chance(0.02):
        return [g.key()] + big_members(g)
    return [g.key()] + members(g, 1, 5)


@command("srem", "sets", 7)
def g_srem(g):
    return [g.key()] + members(g, 1, 4)


@command("smembers", "sets", 5)
def g_smembers(g):
    return [g.key()]


@command("sismember", "sets", 4)
def g_sismember(g):
    return [g.key(), member(g)]


@command("smismember", "sets", 4)
def g_smismember(g):
    return [g.key()] + members(g, 1, 4)


@command("scard", "sets", 4)
def g_scard(g):
    return [g.key()]


@command("spop", "sets", 6)
def g_spop(g):
    x = g.r.random()
    if x < 0.45:
        return [g.key()]
    if x < 0.95:
        return [g.key(), set_count(g)]
    return [g.key(), set_count(g), g.junk()]


@command("srandmember", "sets", 6)
def g_srandmember(g):
    x = g.r.random()
    if x < 0.02:
        return []  # wrong arity
    if x < 0.3:
        return [g.key()]
    key, count = rand_count(g)
    if x < 0.95:
        return [key, count]
    return [key, count, g.junk()]


@command("smove", "sets", 5)
def g_smove(g):
    return [g.key(), g.key(), member(g)]


@command("sinter", "sets", 5)
def g_sinter(g):
    return g.keys(1, 4)


@command("sunion", "sets", 5)
def g_sunion(g):
    return g.keys(1, 4)


@command("sdiff", "sets", 5)
def g_sdiff(g):
    return g.keys(1, 4)


@command("sinterstore", "sets", 4)
def g_sinterstore(g):
    return [g.key()] + g.keys(1, 3)


@command("sunionstore", "sets", 4)
def g_sunionstore(g):
    return [g.key()] + g.keys(1, 3)


@command("sdiffstore", "sets", 4)
def g_sdiffstore(g):
    return [g.key()] + g.keys(1, 3)


@command("sintercard", "sets", 4)
def g_sintercard(g):
    keys = g.keys(1, 4)
    x = g.r.random()
    if x < 0.75:
        numkeys = b(len(keys))
    else:
        numkeys = b(g.pick(["0", "-1", "abc", "", str(len(keys) + 1), "9223372036854775807",
                            "1.0", "01"]))
    opts = []
    for _ in range(g.r.choice([0, 0, 1, 1, 2])):
        y = g.r.random()
        if y < 0.7:
            opts += [g.case("LIMIT"), b(g.pick(["0", "1", "2", "3", "10", "-1", "abc", "",
                                                 "9223372036854775807"]))]
        elif y < 0.85:
            opts.append(g.case("LIMIT"))
        else:
            opts.append(g.junk())
    return [numkeys] + keys + opts


def scan_cursor(g):
    if g.chance(0.85):
        return b"0"
    return b(g.pick(["abc", "-1", "18446744073709551615", "18446744073709551616", "", " 0",
                     "0x0", "1.0", "+0", "00", "17", "123456789"]))


def member_pattern(g):
    if g.chance(0.6):
        return b(g.pick(["*", "a", "a*", "*1*", "?", "[a-c]", "m:1*", "m:?", "1*", "*0",
                         "[^a]*", "\\a", "[", "", "f*", "\x00*", "*\xff*", "m:[12]*"]))
    return g.pattern()


def collection_scan(g, name):
    opts = []
    for _ in range(g.r.choice([0, 1, 1, 2, 3])):
        y = g.r.random()
        if y < 0.4:
            opts.append([g.case("MATCH"), member_pattern(g)])
        elif y < 0.8:
            opts.append([g.case("COUNT"), g.count()])
        elif y < 0.88:
            opts.append([g.case("TYPE"), b"set"])  # SCAN's option only: a syntax error
        elif y < 0.94:
            opts.append([g.case(g.pick(["MATCH", "COUNT"]))])
        else:
            opts.append([g.junk(), g.junk()])
    return Step("scan", [b(name), g.key(), scan_cursor(g)] + [a for o in opts for a in o])


@command("sscan", "sets", 5)
def g_sscan(g):
    return collection_scan(g, "SSCAN")


# -- hashes: HRANDFIELD, HSCAN --

@command("hrandfield", "hashes", 5)
def g_hrandfield(g):
    x = g.r.random()
    if x < 0.02:
        return []  # wrong arity
    if x < 0.25:
        return [g.key()]
    key, count = rand_count(g)
    if x < 0.6:
        return [key, count]
    if x < 0.95:
        return [key, count, g.case("WITHVALUES")]
    return [key, count, g.pick([g.junk(), b"WITHVALUES"]), g.pick([b"", g.junk()])]


@command("hscan", "hashes", 5)
def g_hscan(g):
    return collection_scan(g, "HSCAN")
