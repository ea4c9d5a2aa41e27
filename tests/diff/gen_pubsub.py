"""Differential-test generators of the pubsub family (generators.py imports this file).

Subscribing is one 'pipeline' step that always ends with every subscription dropped, so the
state checks between steps never run in RESP2's subscribed mode. Channels are named
explicitly when unsubscribing (Redis's UNSUBSCRIBE with no argument walks a hash table, in
no fixed order); PUNSUBSCRIBE with none follows subscription order on both servers.
"""

import generators
from generators import Step, command

# An added argument would make these answer two messages to a one-reply step.
generators.NO_MUTATION.update({"unsubscribe", "punsubscribe", "sunsubscribe"})

CHANNELS = [b"news", b"news.1", b"chat", b"", b"\x00\xff", b"n*"]
PATTERNS = [b"news*", b"*", b"n?ws", b"[nc]*", b"chat", b"\\*"]


def channel(g):
    return g.pick(CHANNELS)


def subscribed_body(g):
    """Commands a subscribed client might send: allowed ones and refused ones (RESP2)."""
    x = g.r.random()
    if x < 0.3:
        return [g.case("PUBLISH"), channel(g), g.value()]
    if x < 0.45:
        return [g.case("PING")] + ([g.value()] if g.chance(0.5) else [])
    if x < 0.55:
        return [g.case("SPUBLISH"), channel(g), g.value()]
    if x < 0.65:
        return [g.case("PUBSUB"), g.case("NUMSUB")] + [channel(g) for _ in range(g.r.randint(0, 3))]
    if x < 0.72:
        return [g.case("PUBSUB"), g.case("NUMPAT")]
    if x < 0.8:
        return [g.case("GET"), g.key()]
    if x < 0.9:
        return [g.case("SUBSCRIBE")] + [channel(g) for _ in range(g.r.randint(1, 2))]
    return [g.case("UNSUBSCRIBE")] + [channel(g) for _ in range(g.r.randint(1, 2))]


@command("subscribe", "pubsub", 10)
def g_subscribe(g):
    body = []
    chans = [channel(g) for _ in range(g.r.randint(0, 3))]
    # One pattern at most: Redis delivers to matching patterns in hash-table order.
    pats = [g.pick(PATTERNS) for _ in range(g.r.randint(0, 1))]
    shards = [channel(g) for _ in range(g.r.randint(0, 1))]
    if chans:
        body.append([g.case("SUBSCRIBE")] + chans)
    if pats:
        body.append([g.case("PSUBSCRIBE")] + pats)
    if shards:
        body.append([g.case("SSUBSCRIBE")] + shards)
    body += [subscribed_body(g) for _ in range(g.r.randint(0, 4))]
    # Leave every subscription: all channels named (any a body SUBSCRIBE added too).
    body.append([b"UNSUBSCRIBE"] + CHANNELS)
    body.append([b"PUNSUBSCRIBE"])
    body.append([b"SUNSUBSCRIBE"] + CHANNELS)
    return Step("pipeline", body=body)


@command("publish", "pubsub", 4)
def g_publish(g):
    return [channel(g), g.value()]


@command("spublish", "pubsub", 1)
def g_spublish(g):
    return [channel(g), g.value()]


# Outside a subscription these answer one message per argument (one with none): a 'cmd'
# step reads one reply, so they get at most one argument.
@command("unsubscribe", "pubsub", 1)
def g_unsubscribe(g):
    return [channel(g) for _ in range(g.r.randint(0, 1))]


@command("punsubscribe", "pubsub", 1)
def g_punsubscribe(g):
    return [g.pick(PATTERNS) for _ in range(g.r.randint(0, 1))]


@command("pubsub", "pubsub", 4)
def g_pubsub(g):
    x = g.r.random()
    if x < 0.25:
        return [g.case("CHANNELS")] + ([g.pick(PATTERNS)] if g.chance(0.5) else [])
    if x < 0.45:
        return [g.case("NUMSUB")] + [channel(g) for _ in range(g.r.randint(0, 3))]
    if x < 0.6:
        return [g.case("NUMPAT")] + ([g.value()] if g.chance(0.1) else [])
    if x < 0.7:
        return [g.case("SHARDCHANNELS")] + ([g.pick(PATTERNS)] if g.chance(0.5) else [])
    if x < 0.8:
        return [g.case("SHARDNUMSUB")] + [channel(g) for _ in range(g.r.randint(0, 2))]
    if x < 0.9:
        return [g.case("CHANNELS"), b"a", b"b"]
    return [g.pick([b"FOO", b"", b"HELP"])]
