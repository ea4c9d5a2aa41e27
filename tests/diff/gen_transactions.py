"""Differential-test generators of the transactions family (generators.py imports this file).

A transaction is one 'pipeline' step (sent at once, every reply compared byte for byte) that
always leaves MULTI (EXEC or DISCARD), so the state checks between steps never run inside a
transaction. Bodies use commands with deterministic replies: strings, keyspace, hashes and
lists, blocking ones included (inside EXEC they must not block).
"""

import generators
from generators import COMMANDS, Step, b, command

BODY_FAMILIES = ("strings", "keyspace", "hashes", "lists")
# Replies compared loosely elsewhere (normalize.py), or commands that would end the session.
BODY_EXCLUDE = {"scan", "select", "randomkey", "keys", "ttl", "pttl", "expiretime",
                "pexpiretime", "quit", "hello", "reset", "auth", "hgetall", "hkeys", "hvals",
                "hrandfield", "hscan"}


def body_command(g):
    names = [n for n, (fam, w, fn) in COMMANDS.items()
             if fam in BODY_FAMILIES and n not in BODY_EXCLUDE]
    while True:
        name = g.pick(names)
        args = COMMANDS[name][2](g)
        if isinstance(args, list):
            return [g.case(name)] + args


def queued(g, lo, hi):
    cmds = []
    for _ in range(g.r.randint(lo, hi)):
        x = g.r.random()
        if x < 0.85:
            cmds.append(body_command(g))
        elif x < 0.9:
            cmds.append([b"FOOBAR"] + g.values(0, 1))  # refused while queueing: EXECABORT
        elif x < 0.93:
            cmds.append([g.case("MULTI")])  # nested: an error, not queued
        elif x < 0.96:
            cmds.append([g.case("WATCH"), g.key()])  # not allowed inside MULTI
        else:
            cmds.append([g.case("GET")])  # wrong arity while queueing
    return cmds


@command("multi", "transactions", 10)
def g_multi(g):
    pre = []
    if g.chance(0.4):
        pre.append([g.case("WATCH")] + g.keys(1, 3))
        # Maybe touch a watched key (or another) before MULTI, from this connection.
        for _ in range(g.r.randint(0, 2)):
            pre.append(body_command(g) if g.chance(0.8) else
                       g.pick([[b"FLUSHDB"], [b"FLUSHALL"], [b"SWAPDB", b"0", b"1"],
                               [b"UNWATCH"]]))
    end = [g.case("EXEC")] if g.chance(0.85) else [g.case("DISCARD")]
    if g.chance(0.03):
        end.append(g.value())  # EXEC x: refused, aborts
        return Step("pipeline", body=pre + [[g.case("MULTI")]] + queued(g, 0, 4) + [end,
                                                                                  [b"DISCARD"]])
    return Step("pipeline", body=pre + [[g.case("MULTI")]] + queued(g, 0, 6) + [end])


@command("exec", "transactions", 1)
def g_exec(g):
    return []  # outside MULTI: ERR EXEC without MULTI


@command("discard", "transactions", 1)
def g_discard(g):
    return []


@command("unwatch", "transactions", 1)
def g_unwatch(g):
    return []


@command("watch", "transactions", 1)
def g_watch(g):
    return g.keys(1, 3)
