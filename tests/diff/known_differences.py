"""Known, intentional differences between Strata and the oracle (Debian's redis-server 7.0).

Keep this list minimal. An entry belongs here only when the difference is a deliberate,
documented choice (README.md), never to silence a bug: a difference that is not listed makes
the run fail. Each entry is (name, reason, match) where match(args, redis_reply, strata_reply)
gets the command as bytes and the two parsed replies (resp.Reply) and returns True when the
pair is this known difference. A matched difference is counted and reported in the summary
but does not fail the run.
"""


def _name(args, i):
    return args[i].lower() if len(args) > i and isinstance(args[i], bytes) else None


def _help(args, redis, strata):
    # `<container> HELP`: Strata lists only the subcommands it implements, in Redis 7.2's
    # wording ("Print this help."), where Redis 7.0 lists its own. Both must be arrays.
    return (_name(args, 1) == b"help" and _name(args, 0) in (b"client", b"config", b"command",
                                                              b"slowlog", b"debug")
            and redis.kind == "*" and strata.kind == "*")


def _redis72_client_subcommand(args, redis, strata):
    # CLIENT SETINFO and CLIENT NO-TOUCH are Redis 7.2 subcommands (Strata reports version
    # 7.2.4 and README lists both); Redis 7.0 does not know them.
    sub = _name(args, 1)
    return (_name(args, 0) == b"client" and sub in (b"setinfo", b"no-touch")
            and redis.raw.lower().startswith(b"-err unknown subcommand '" + sub + b"'"))


def _compact(args, redis, strata):
    # COMPACT is Strata's own command (as in Kvrocks): compact the whole store now.
    return (_name(args, 0) == b"compact"
            and redis.raw.startswith(b"-ERR unknown command '"))


KNOWN = [
    ("help-text", "HELP lists only what Strata implements, in Redis 7.2's wording", _help),
    ("redis-7.2-client-subcommands", "CLIENT SETINFO/NO-TOUCH are Redis 7.2 subcommands; "
     "the oracle is 7.0", _redis72_client_subcommand),
    ("compact", "COMPACT is a Strata extension (Kvrocks-style full compaction)", _compact),
]


def match(args, redis, strata):
    """The name of the known difference this pair is, or None."""
    for name, _reason, fn in KNOWN:
        try:
            if fn(args, redis, strata):
                return name
        except (AttributeError, TypeError, IndexError):
            continue
    return None
