"""Differential-test generators of the zsets family (generators.py imports this file).

Members come from a small pool of short strings (at most 64 bytes, fewer than 128 distinct),
so Redis keeps these sorted sets in its small (listpack) encoding. That matters for two
things Redis leaves to the encoding: lex ranges over members of different scores (the
listpack rules are deterministic; the skiplist's depend on random node levels) and -0 scores
(a listpack stores 0). Strata implements the listpack rules (docs/compatibility.md). The one
exception is BIG (below), a large set kept to integer scores and rank and score commands.
"""

import generators
from generators import Step, b


def command(name, family, weight=10):
    """generators.command, with the random arity mutation done here (make_step's would add
    arbitrary values, up to 20 KB, as arguments, and a member that long switches Redis to its
    large encoding: see the module docstring): arguments dropped, or short members added."""
    def reg(fn):
        def gen(g):
            args = fn(g)
            if isinstance(args, Step):
                return args
            if g.chance(0.03) and args:
                args = args[:g.r.randint(0, len(args) - 1)]
            elif g.chance(0.03):
                args = args + [member(g) for _ in range(g.r.randint(1, 2))]
            return args
        generators.NO_MUTATION.add(name)
        return generators.command(name, family, weight)(gen)
    return reg

MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"f", b"aa", b"ab", b"b\x00", b"", b"\x00", b"\xff",
           b"A", b"m:1", b"m:2", b"x y", b"\r\n", b"\xc3\xa9", b"10", b"-1", b"1.5", b"inf",
           b"z" * 64]
MEMBER_WEIGHTS = [8, 8, 7, 6, 5, 4, 3, 3, 2, 2, 1, 1, 2, 3, 3, 1, 1, 1, 2, 1, 1, 1, 1]

SCORE_EDGES = ["inf", "-inf", "+inf", "nan", "-nan", "1e400", "-1e400", "1e-400", "-0", "0",
               "+0", "0.0", "-0.0", "0x10", " 1", "1 ", "", "abc", "(1", "1e308",
               "1.7976931348623157e308", "4.9e-324", "0.1", "0.30000000000000004",
               "9007199254740993", "4611686018427387904", "-4611686018427387904",
               "4611686018427387903", "1e20", "123456789012345678", "1\x00", "Infinity",
               "3.0e3", "-1.5", ".5", "5."]


# Keys mostly of this family's own, so that sorted sets grow and live long enough to be
# ranged, popped and combined (the shared keys are overwritten by strings and hashes all the
# time); the shared keys now and then, for WRONGTYPE and the keyspace commands.
ZKEYS = [b"z1", b"z2", b"z3", b"z{4}\x00"]


def zkey(g):
    return g.pick(ZKEYS) if g.chance(0.75) else g.key()


def member(g):
    if g.chance(0.95):
        return g.r.choices(MEMBERS, MEMBER_WEIGHTS)[0]
    v = g.value()
    return v if len(v) <= 64 else v[:64]


def score(g):
    x = g.r.random()
    if x < 0.55:
        return b(g.r.randint(-5, 5))
    if x < 0.7:
        return b(g.pick(["1.5", "-2.5", "0.1", "2.25", "-0.75", "100", "3.14159"]))
    if x < 0.9:
        return b(g.pick(SCORE_EDGES))
    return g.float_()


def score_bound(g):
    x = g.r.random()
    if x < 0.15:
        return b(g.pick(["-inf", "+inf", "inf", "(-inf", "(+inf"]))
    if x < 0.25:
        return b(g.pick(["", "(", "abc", "nan", "(nan", "1e400", "((1", " 1", "1 ", "1\x00x",
                         "[1", "0x10", "-0", "(-0", "(0", "+5", "1e-400"]))
    s = score(g) if g.chance(0.3) else b(g.r.randint(-6, 6))
    if isinstance(s, bytes) and g.chance(0.35):
        s = b"(" + s
    return s


def lex_bound(g):
    x = g.r.random()
    if x < 0.2:
        return b(g.pick(["-", "+"]))
    if x < 0.3:
        return b(g.pick(["", "a", "+a", "-a", "+\x00", "-\x00x", "{a", "1", "[", "(", "[[a"]))
    return b(g.pick(["[", "("])) + member(g)


def rank(g):
    if g.chance(0.85):
        return b(g.r.randint(-8, 8))
    return b(g.pick(["9223372036854775807", "-9223372036854775808", "abc", "", "1.5", "+1",
                     "01", "-0", "9223372036854775808"]))


def limit_args(g):
    off = b(g.r.randint(-2, 6)) if g.chance(0.85) else b(g.pick(
        ["-1", "9223372036854775807", "-9223372036854775808", "abc", ""]))
    cnt = b(g.r.randint(-2, 6)) if g.chance(0.85) else b(g.pick(
        ["-1", "0", "9223372036854775807", "-9223372036854775808", "abc", "1.5"]))
    return [g.case("LIMIT"), off, cnt]


def maybe_junk(g, args):
    if g.chance(0.04):
        args.insert(g.r.randint(0, len(args)), g.junk())
    return args


# ---- one large sorted set ----
# BIG holds up to a few thousand members, so that the walks meant for large sets run
# (zset_select.h: backward walks for the top of a set). Redis keeps it in its large encoding,
# where -0 stays -0 and lex ranges over mixed scores depend on random skiplist levels: only
# integer scores and members, and only rank and score commands, ever touch it.
BIG = b"zbig"


def big_member(g):
    return b"n%d" % g.r.randint(0, 4000)


def big_score(g):
    return b(g.r.randint(-3000, 3000))


def big_zadd(g):
    pairs = []
    for _ in range(g.r.randint(500, 1500)):
        pairs += [big_score(g), big_member(g)]
    return Step("cmd", [b"ZADD", BIG] + pairs)


def big_score_bound(g):
    x = g.r.random()
    if x < 0.2:
        return b(g.pick(["-inf", "+inf", "(3000", "(-3000"]))
    v = big_score(g)
    return b"(" + v if g.chance(0.3) else v


def big_read(g):
    """A rank or score read of BIG, mostly near its top or bottom."""
    return Step("cmd", big_read_args(g))


def big_read_args(g):
    top = [b(g.r.randint(0, 6)), b(g.r.randint(0, 12))]
    x = g.r.random()
    if x < 0.2:
        return [b"ZREVRANGE", BIG] + top + ([b"WITHSCORES"] if g.chance(0.5) else [])
    if x < 0.35:
        return [b"ZRANGE", BIG] + top + [b"REV"] + ([b"WITHSCORES"] if g.chance(0.5) else [])
    if x < 0.5:
        return [b"ZREVRANGEBYSCORE", BIG, big_score_bound(g), big_score_bound(g), b"LIMIT",
                b(g.r.randint(0, 5)), b(g.r.randint(0, 8))]
    if x < 0.6:
        return [b"ZRANGE", BIG, big_score_bound(g), big_score_bound(g), b"BYSCORE", b"REV",
                b"LIMIT", b(g.r.randint(0, 5)), b(g.r.randint(-1, 8))]
    if x < 0.7:
        return [b"ZRANGE", BIG, b(g.r.randint(-12, 0)), b"-1"]
    if x < 0.8:
        return [g.pick([b"ZRANK", b"ZREVRANK"]), BIG, big_member(g)]
    if x < 0.9:
        return [b"ZCOUNT", BIG, big_score_bound(g), big_score_bound(g)]
    return [b"ZCARD", BIG]


def big_write(g):
    return Step("cmd", big_write_args(g))


def big_write_args(g):
    x = g.r.random()
    if x < 0.3:
        return [g.pick([b"ZPOPMAX", b"ZPOPMIN"]), BIG] + ([b(g.r.randint(1, 5))]
                                                         if g.chance(0.6) else [])
    if x < 0.45:
        return [b"ZMPOP", b"2", b"z1", BIG, g.pick([b"MAX", b"MIN"]), b"COUNT",
                b(g.r.randint(1, 4))]
    if x < 0.6:
        return [b"ZINCRBY", BIG, b(g.r.randint(-50, 50)), big_member(g)]
    if x < 0.75:
        return [b"ZADD", BIG] + [big_score(g), big_member(g)]
    if x < 0.9:
        return [b"ZREM", BIG] + [big_member(g) for _ in range(g.r.randint(1, 4))]
    return [b"ZREMRANGEBYRANK", BIG, b(g.r.randint(-5, 0)), b"-1"]


# ---- ZADD / ZINCRBY ----

@command("zadd", "zsets", 30)
def g_zadd(g):
    if g.chance(0.015):
        return big_zadd(g)
    opts = []
    for _ in range(g.r.choice([0, 0, 0, 1, 1, 2, 3])):
        opts.append(g.case(g.pick(["NX", "XX", "GT", "LT", "CH", "INCR", "ch", "gt"])))
    pairs = []
    for _ in range(g.r.choice([1, 1, 2, 3, 4, 6])):
        pairs += [score(g), member(g)]
    if g.chance(0.05):
        pairs.append(member(g))  # odd
    if g.chance(0.03):
        pairs = []
    return maybe_junk(g, [zkey(g)] + opts + pairs)


@command("zincrby", "zsets", 6)
def g_zincrby(g):
    inc = score(g) if g.chance(0.9) else g.case(g.pick(["NX", "XX", "INCR", "GT"]))
    return [zkey(g), inc, member(g)]


# ---- reads ----

@command("zscore", "zsets", 6)
def g_zscore(g):
    return [zkey(g), member(g)]


@command("zmscore", "zsets", 4)
def g_zmscore(g):
    return [zkey(g)] + [member(g) for _ in range(g.r.randint(1, 4))]


@command("zcard", "zsets", 5)
def g_zcard(g):
    return [zkey(g)]


@command("zrem", "zsets", 6)
def g_zrem(g):
    return [zkey(g)] + [member(g) for _ in range(g.r.randint(1, 4))]


@command("zrank", "zsets", 4)
def g_zrank(g):
    return [zkey(g), member(g)]


@command("zrevrank", "zsets", 3)
def g_zrevrank(g):
    return [zkey(g), member(g)]


@command("zcount", "zsets", 4)
def g_zcount(g):
    return [zkey(g), score_bound(g), score_bound(g)]


@command("zlexcount", "zsets", 4)
def g_zlexcount(g):
    return [zkey(g), lex_bound(g), lex_bound(g)]


# ---- ZRANGE and its variants ----

def zrange_args(g, store):
    kind = g.r.choice(["rank", "rank", "score", "lex"])
    if kind == "rank":
        lo, hi = rank(g), rank(g)
        if g.chance(0.5):  # mostly non-empty ranges
            lo, hi = b(g.r.randint(0, 3)), b(g.pick([-1, -2, 2, 5, 100]))
    elif kind == "score":
        lo, hi = score_bound(g), score_bound(g)
    else:
        lo, hi = lex_bound(g), lex_bound(g)
    opts = []
    if kind == "score" or (kind != "rank" and g.chance(0.1)) or g.chance(0.05):
        opts.append([g.case("BYSCORE")])
    if kind == "lex" or g.chance(0.05):
        opts.append([g.case("BYLEX")])
    if g.chance(0.35):
        opts.append([g.case("REV")])
    if not store and g.chance(0.4):
        opts.append([g.case("WITHSCORES")])
    if (kind != "rank" and g.chance(0.4)) or g.chance(0.05):
        opts.append(limit_args(g))
    if g.chance(0.05):
        opts.append([g.junk()])
    if g.chance(0.05) and opts:
        opts.append(g.pick(opts))  # a repeated option
    if g.chance(0.05):
        opts.append([g.case("LIMIT"), b"1"])  # LIMIT with too few arguments
    return [lo, hi] + g.shuffled(opts)


@command("zrange", "zsets", 14)
def g_zrange(g):
    return [zkey(g)] + zrange_args(g, False)


@command("zrangestore", "zsets", 5)
def g_zrangestore(g):
    return [zkey(g), zkey(g)] + zrange_args(g, True)


def byscore_opts(g, withscores=True):
    opts = []
    if withscores and g.chance(0.4):
        opts.append([g.case("WITHSCORES")])
    if g.chance(0.4):
        opts.append(limit_args(g))
    if g.chance(0.04):
        opts.append([g.junk()])
    return g.shuffled(opts)


@command("zrangebyscore", "zsets", 6)
def g_zrangebyscore(g):
    return [zkey(g), score_bound(g), score_bound(g)] + byscore_opts(g)


@command("zrevrangebyscore", "zsets", 5)
def g_zrevrangebyscore(g):
    return [zkey(g), score_bound(g), score_bound(g)] + byscore_opts(g)


@command("zrangebylex", "zsets", 5)
def g_zrangebylex(g):
    return [zkey(g), lex_bound(g), lex_bound(g)] + byscore_opts(g, withscores=g.chance(0.1))


@command("zrevrangebylex", "zsets", 4)
def g_zrevrangebylex(g):
    return [zkey(g), lex_bound(g), lex_bound(g)] + byscore_opts(g, withscores=g.chance(0.1))


@command("zrevrange", "zsets", 5)
def g_zrevrange(g):
    if g.chance(0.5):
        return big_read(g)
    opts = [g.case("WITHSCORES")] if g.chance(0.4) else []
    if g.chance(0.05):
        opts.append(g.case(g.pick(["REV", "BYSCORE", "LIMIT"])))
    return [zkey(g), rank(g), rank(g)] + opts


# ---- pops and removals ----

def pop_count(g):
    if g.chance(0.8):
        return b(g.r.randint(0, 5))
    return b(g.pick(["-1", "abc", "", "9223372036854775807", "-9223372036854775808", "1.5"]))


@command("zpopmin", "zsets", 3)
def g_zpopmin(g):
    args = [zkey(g)]
    if g.chance(0.6):
        args.append(pop_count(g))
    if g.chance(0.03):
        args.append(b"1")
    return args


@command("zpopmax", "zsets", 3)
def g_zpopmax(g):
    if g.chance(0.4):
        return big_write(g)
    return g_zpopmin(g)


@command("zmpop", "zsets", 3)
def g_zmpop(g):
    keys = [zkey(g) for _ in range(g.r.randint(1, 3))]
    if g.chance(0.9):
        nk = b(len(keys))
    else:
        nk = b(g.pick(["0", "-1", "abc", "4", "9223372036854775807", "10", ""]))
    args = [nk] + keys + [g.case(g.pick(["MIN", "MAX"])) if g.chance(0.95) else g.junk()]
    if g.chance(0.5):
        args += [g.case("COUNT"), pop_count(g)]
    if g.chance(0.05):
        args += [g.case("COUNT"), b"1"]
    return args


@command("zremrangebyrank", "zsets", 2)
def g_zremrangebyrank(g):
    return [zkey(g), rank(g), rank(g)]


@command("zremrangebyscore", "zsets", 2)
def g_zremrangebyscore(g):
    return [zkey(g), score_bound(g), score_bound(g)]


@command("zremrangebylex", "zsets", 2)
def g_zremrangebylex(g):
    return [zkey(g), lex_bound(g), lex_bound(g)]


@command("zrandmember", "zsets", 5)
def g_zrandmember(g):
    args = [zkey(g)]
    if g.chance(0.7):
        args.append(b(g.r.randint(-30, 30)) if g.chance(0.85) else b(g.pick(
            ["abc", "", "-9223372036854775808", "9223372036854775807", "4611686018427387904",
             "1.5"])))  # never a huge negative count: both servers would reply that many
        if g.chance(0.5):
            args.append(g.case("WITHSCORES") if g.chance(0.95) else g.junk())
    return args


@command("zscan", "zsets", 4)
def g_zscan(g):
    cursor = b"0" if g.chance(0.85) else b(g.pick(["abc", "-1", "", "1", " 0", "18446744073709551616"]))
    opts = []
    if g.chance(0.4):
        opts.append([g.case("MATCH"), g.pattern() if g.chance(0.5) else b(g.pick(
            ["a*", "*a*", "m:*", "[ab]", "?", "*"]))])
    if g.chance(0.3):
        opts.append([g.case("COUNT"), b(g.pick(["1", "2", "10", "100", "0", "-1", "abc"]))])
    if g.chance(0.04):
        opts.append([g.case(g.pick(["TYPE", "NOVALUES", "MATCH"]))])
    return [zkey(g), cursor] + g.shuffled(opts)


# ---- set operations ----

def setop_keys(g):
    keys = [zkey(g) for _ in range(g.r.randint(1, 3))]
    if g.chance(0.92):
        nk = b(len(keys))
    else:
        nk = b(g.pick(["0", "-1", "abc", "5", "9223372036854775807", ""]))
    return nk, keys


def weights(g, n):
    ws = []
    for _ in range(n):
        ws.append(b(g.pick(["1", "2", "-1", "0", "0.5", "inf", "-inf", "3"]))
                  if g.chance(0.9) else b(g.pick(["nan", "abc", "", "1e400"])))
    if g.chance(0.05):
        ws = ws[:-1]
    return [g.case("WEIGHTS")] + ws


def setop_opts(g, n, weights_ok=True, withscores_ok=True):
    opts = []
    if weights_ok and g.chance(0.4):
        opts.append(weights(g, n))
    if weights_ok and g.chance(0.4):
        opts.append([g.case("AGGREGATE"), g.case(g.pick(["SUM", "MIN", "MAX"]))
                     if g.chance(0.95) else g.junk()])
    if withscores_ok and g.chance(0.4):
        opts.append([g.case("WITHSCORES")])
    if g.chance(0.04):
        opts.append([g.junk()])
    return g.shuffled(opts)


@command("zunion", "zsets", 4)
def g_zunion(g):
    nk, keys = setop_keys(g)
    return [nk] + keys + setop_opts(g, len(keys))


@command("zunionstore", "zsets", 4)
def g_zunionstore(g):
    nk, keys = setop_keys(g)
    return [zkey(g), nk] + keys + setop_opts(g, len(keys), withscores_ok=g.chance(0.05))


@command("zinter", "zsets", 4)
def g_zinter(g):
    nk, keys = setop_keys(g)
    return [nk] + keys + setop_opts(g, len(keys))


@command("zinterstore", "zsets", 4)
def g_zinterstore(g):
    nk, keys = setop_keys(g)
    return [zkey(g), nk] + keys + setop_opts(g, len(keys), withscores_ok=g.chance(0.05))


@command("zintercard", "zsets", 3)
def g_zintercard(g):
    nk, keys = setop_keys(g)
    args = [nk] + keys
    if g.chance(0.5):
        args += [g.case("LIMIT"), b(g.pick(["0", "1", "2", "5", "-1", "abc", ""]))]
    if g.chance(0.05):
        args += setop_opts(g, len(keys))
    return args


@command("zdiff", "zsets", 4)
def g_zdiff(g):
    nk, keys = setop_keys(g)
    return [nk] + keys + setop_opts(g, len(keys), weights_ok=g.chance(0.05))


@command("zdiffstore", "zsets", 4)
def g_zdiffstore(g):
    nk, keys = setop_keys(g)
    return [zkey(g), nk] + keys + setop_opts(g, len(keys), weights_ok=g.chance(0.05),
                                             withscores_ok=g.chance(0.05))


def ztimeout(g):
    """A blocking timeout that ends within milliseconds, or a refused one; never 0."""
    if g.chance(0.85):
        return b(g.pick(["0.01", "0.001", "0.02"]))
    return b(g.pick(["-1", "abc", "", "inf", "nan", "-0.5"]))


# No random arity mutation: an added argument could become a long timeout.
@generators.command("bzpopmin", "zsets", 2)
def g_bzpopmin(g):
    return [zkey(g) for _ in range(g.r.randint(1, 3))] + [ztimeout(g)]


@generators.command("bzpopmax", "zsets", 2)
def g_bzpopmax(g):
    return [zkey(g) for _ in range(g.r.randint(1, 3))] + [ztimeout(g)]


@generators.command("bzmpop", "zsets", 2)
def g_bzmpop(g):
    return [ztimeout(g)] + g_zmpop(g)


generators.NO_MUTATION.update({"bzpopmin", "bzpopmax", "bzmpop"})
