"""Differential-test generators of the lists family (generators.py imports this file).

Blocking commands get only timeouts that end within milliseconds (or are refused), never 0
or a long one: a run sends each command to both servers and waits for both replies, so a
client blocked for good would stop the run.
"""

import generators
from generators import b, command

# An added argument could become a blocking command's timeout (a "0" waits forever).
generators.NO_MUTATION.update({"blpop", "brpop", "blmove", "brpoplpush", "blmpop"})

ELEMENTS = [b"a", b"b", b"c", b"x", b"", b"1", b"\x00\r\n", b"\xc3\xa9"]


def element(g):
    return g.pick(ELEMENTS) if g.chance(0.85) else g.value()


def elements(g, lo, hi):
    return [element(g) for _ in range(g.r.randint(lo, hi))]


def list_index(g):
    x = g.r.random()
    if x < 0.7:
        return b(str(g.r.randint(-12, 12)))
    return g.pick([b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
                   b"abc", b"", b"1.5", b"+1", b"01", b"-0", b" 1"])


def end(g):
    if g.chance(0.93):
        return g.case(g.pick(["LEFT", "RIGHT"]))
    return g.pick([b"UP", b"", b"LEF", b"righ"])


def timeout(g):
    """A timeout that ends within milliseconds, or a refused one; never 0 (forever)."""
    if g.chance(0.8):
        return b(g.pick(["0.01", "0.001", "0.02", "0.0001", "0.005"]))
    return b(g.pick(["-1", "-0.5", "abc", "", "inf", "-inf", "nan", "1e400", " 0.01",
                     "-9223372036854775808", "1e-400"]))


@command("lpush", "lists", 12)
def g_lpush(g):
    return [g.key()] + elements(g, 0 if g.chance(0.03) else 1, 4)


@command("rpush", "lists", 12)
def g_rpush(g):
    return [g.key()] + elements(g, 0 if g.chance(0.03) else 1, 4)


@command("lpushx", "lists", 3)
def g_lpushx(g):
    return [g.key()] + elements(g, 1, 3)


@command("rpushx", "lists", 3)
def g_rpushx(g):
    return [g.key()] + elements(g, 1, 3)


def pop_args(g):
    args = [g.key()]
    if g.chance(0.4):
        args.append(g.count())
    if g.chance(0.03):
        args.append(g.count())
    return args


@command("lpop", "lists", 7)
def g_lpop(g):
    return pop_args(g)


@command("rpop", "lists", 7)
def g_rpop(g):
    return pop_args(g)


@command("llen", "lists", 4)
def g_llen(g):
    return [g.key()]


@command("lindex", "lists", 5)
def g_lindex(g):
    return [g.key(), list_index(g)]


@command("lset", "lists", 4)
def g_lset(g):
    return [g.key(), list_index(g), element(g)]


@command("lrange", "lists", 8)
def g_lrange(g):
    return [g.key(), list_index(g), list_index(g)]


@command("ltrim", "lists", 3)
def g_ltrim(g):
    return [g.key(), list_index(g), list_index(g)]


@command("linsert", "lists", 4)
def g_linsert(g):
    where = g.case(g.pick(["BEFORE", "AFTER"])) if g.chance(0.93) else g.junk()
    return [g.key(), where, element(g), element(g)]


@command("lrem", "lists", 4)
def g_lrem(g):
    return [g.key(), list_index(g), element(g)]


@command("lpos", "lists", 5)
def g_lpos(g):
    args = [g.key(), element(g)]
    for _ in range(g.r.choice([0, 0, 1, 1, 2, 3])):
        opt = g.pick(["RANK", "COUNT", "MAXLEN"])
        x = g.r.random()
        if x < 0.85:
            v = list_index(g) if opt == "RANK" else (g.count() if g.chance(0.7)
                                                      else b(str(g.r.randint(0, 5))))
            args += [g.case(opt), v]
        elif x < 0.93:
            args.append(g.case(opt))  # missing its value
        else:
            args.append(g.junk())
    return args


@command("lmove", "lists", 5)
def g_lmove(g):
    return [g.key(), g.key(), end(g), end(g)]


@command("rpoplpush", "lists", 4)
def g_rpoplpush(g):
    return [g.key(), g.key()]


def mpop_args(g):
    n = g.r.randint(1, 3)
    keys = [g.key() for _ in range(n)]
    x = g.r.random()
    if x < 0.85:
        numkeys = b(str(n))
    else:
        numkeys = g.pick([b"0", b"-1", b(str(n + 1)), b(str(n + 5)), b"abc", b"",
                          b"9223372036854775807"])
    args = [numkeys] + keys + [end(g)]
    x = g.r.random()
    if x < 0.4:
        args += [g.case("COUNT"), g.count()]
    elif x < 0.45:
        args += [g.case("COUNT")]
    elif x < 0.5:
        args += [g.case("COUNT"), b"2", g.case("COUNT"), b"3"]
    elif x < 0.53:
        args.append(g.junk())
    return args


@command("lmpop", "lists", 4)
def g_lmpop(g):
    return mpop_args(g)


@command("blpop", "lists", 2)
def g_blpop(g):
    return [g.key() for _ in range(g.r.randint(1, 3))] + [timeout(g)]


@command("brpop", "lists", 2)
def g_brpop(g):
    return [g.key() for _ in range(g.r.randint(1, 3))] + [timeout(g)]


@command("blmove", "lists", 2)
def g_blmove(g):
    return [g.key(), g.key(), end(g), end(g), timeout(g)]


@command("brpoplpush", "lists", 1)
def g_brpoplpush(g):
    return [g.key(), g.key(), timeout(g)]


@command("blmpop", "lists", 2)
def g_blmpop(g):
    return [timeout(g)] + mpop_args(g)
