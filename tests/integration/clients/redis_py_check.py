#!/usr/bin/python3
"""Exercises the server through redis-py as an application would.

Usage: /usr/bin/python3 redis_py_check.py HOST PORT

Needs Debian's python3-redis (redis-py 4.3.4; scripts/deps.sh installs it). Run by
tests/integration/client_libs_test.cc against Strata and, with
STRATA_SERVER=/usr/bin/redis-server, against the reference: every check here must hold for
both. It uses only what Strata implements (strings and keyspace commands, no MULTI/EXEC, no
Lua, no other data types). Runs FLUSHALL on the server it is pointed at.

Each check that fails prints what was expected and what came back; the script carries on,
then exits 1 if anything failed, 0 otherwise.
"""

import datetime
import sys
import threading
import time
import traceback

import redis

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 6379

failures = []
checks = 0


def check(what, got, expected):
    global checks
    checks += 1
    if got != expected:
        failures.append(f"{what}: expected {expected!r}, got {got!r}")


def check_true(what, cond, detail=""):
    global checks
    checks += 1
    if not cond:
        failures.append(f"{what}: failed {detail}")


def expect_error(what, fn, message, exc_type=redis.ResponseError):
    """fn() must raise exc_type whose str() is exactly `message`."""
    global checks
    checks += 1
    try:
        got = fn()
    except exc_type as e:
        if str(e) != message:
            failures.append(f"{what}: expected error {message!r}, got error {str(e)!r}")
        return
    except Exception as e:  # noqa: BLE001 - report any other exception as a mismatch
        failures.append(
            f"{what}: expected {exc_type.__name__}({message!r}), got {type(e).__name__}({e!s})"
        )
        return
    failures.append(f"{what}: expected {exc_type.__name__}({message!r}), got reply {got!r}")


def client(**kw):
    return redis.Redis(host=HOST, port=PORT, socket_timeout=10, **kw)


SECTIONS = []


def section(fn):
    SECTIONS.append(fn)
    return fn


# --------------------------------------------------------------------------------------------


@section
def connection(r, rs):
    check("ping", r.ping(), True)
    check("echo bytes", r.echo(b"a\x00b\xff"), b"a\x00b\xff")
    check("echo decoded", rs.echo("héllo ☃"), "héllo ☃")


@section
def binary_values(r, rs):
    values = {
        b"nul": b"a\x00b\x00",
        b"high": bytes(range(256)),
        b"bad-utf8": b"\xc3\x28\xa0\xa1\xff\xfe",
        b"empty": b"",
        b"big": b"\x00\xff" * 300_000,  # 600 KB
    }
    for k, v in values.items():
        check(f"set {k!r}", r.set(k, v), True)
    for k, v in values.items():
        check(f"get {k!r}", r.get(k), v)
    check("strlen big", r.strlen(b"big"), 600_000)
    key = b"k\x00\xff\x01"  # binary key
    check("set binary key", r.set(key, b"v"), True)
    check("get binary key", r.get(key), b"v")
    check("exists binary key", r.exists(key), 1)
    check("get missing", r.get("missing"), None)
    # decode_responses=True: str in, str out, UTF-8 both ways.
    check("decoded set", rs.set("uni", "żółć ☃ 日本"), True)
    check("decoded get", rs.get("uni"), "żółć ☃ 日本")
    check("raw get of utf-8", r.get("uni"), "żółć ☃ 日本".encode())
    check("decoded get missing", rs.get("missing"), None)
    check("int value stored as text", (r.set("n", 42), r.get("n")), (True, b"42"))
    check("float value stored as text", (r.set("f", 1.5), rs.get("f")), (True, "1.5"))


@section
def set_options(r, rs):
    check("set nx new", r.set("s", "1", nx=True), True)
    check("set nx existing", r.set("s", "2", nx=True), None)
    check("set xx existing", r.set("s", "3", xx=True), True)
    check("set xx missing", r.set("s-missing", "3", xx=True), None)
    check("get after nx/xx", r.get("s"), b"3")
    check("set get=True", r.set("s", "4", get=True), b"3")
    check("set get=True on missing", r.set("s-new", "x", get=True), None)
    check("set ex", r.set("e", "v", ex=100), True)
    ttl = r.ttl("e")
    check_true("ttl after set ex", 98 <= ttl <= 100, f"ttl={ttl}")
    check("set px", r.set("p", "v", px=100_000), True)
    pttl = r.pttl("p")
    check_true("pttl after set px", 95_000 <= pttl <= 100_000, f"pttl={pttl}")
    check("set keepttl", r.set("e", "w", keepttl=True), True)
    ttl = r.ttl("e")
    check_true("ttl kept", 95 <= ttl <= 100, f"ttl={ttl}")
    check("set without keepttl clears ttl", (r.set("e", "z"), r.ttl("e")), (True, -1))
    exat = int(time.time()) + 1000
    check("set exat", r.set("x", "v", exat=exat), True)
    ttl = r.ttl("x")
    check_true("ttl after exat", 990 <= ttl <= 1000, f"ttl={ttl}")
    check("expiretime after exat", r.expiretime("x"), exat)
    pxat = int(time.time() * 1000) + 50_000
    check("set pxat", r.set("y", "v", pxat=pxat), True)
    pttl = r.pttl("y")
    check_true("pttl after pxat", 45_000 <= pttl <= 50_000, f"pttl={pttl}")
    check("set nx get", r.set("s", "5", nx=True, get=True), b"4")  # Redis 7: NX and GET
    check("set px short expires", r.set("short", "v", px=50), True)
    time.sleep(0.15)
    check("short-lived key gone", r.get("short"), None)
    check("short-lived key not counted", r.exists("short"), 0)
    expect_error("set ex=0", lambda: r.set("s", "v", ex=0), "invalid expire time in 'set' command")
    # redis-py refuses some combinations itself; the server's own check is reached with NX+XX.
    expect_error("set nx xx", lambda: r.execute_command("SET", "s", "v", "NX", "XX"),
                 "syntax error")


@section
def string_commands(r, rs):
    check("setex", r.setex("se", 100, "v"), True)
    check_true("setex ttl", 98 <= r.ttl("se") <= 100)
    check("psetex", r.psetex("pse", 100_000, "v"), True)
    check_true("psetex pttl", 95_000 <= r.pttl("pse") <= 100_000)
    check("setnx new", r.setnx("snx", "1"), True)
    check("setnx existing", r.setnx("snx", "2"), False)
    check("getset", r.getset("snx", "3"), b"1")
    check("getset missing", r.getset("gs-missing", "a"), None)
    check("getdel", r.getdel("snx"), b"3")
    check("getdel gone", (r.getdel("snx"), r.exists("snx")), (None, 0))
    r.set("gx", "v")
    check("getex plain", r.getex("gx"), b"v")
    check("getex ex", (r.getex("gx", ex=100), r.ttl("gx")), (b"v", 100))
    check("getex persist", (r.getex("gx", persist=True), r.ttl("gx")), (b"v", -1))
    check("getex px", r.getex("gx", px=100_000), b"v")
    check_true("getex px pttl", 95_000 <= r.pttl("gx") <= 100_000)
    check("getex missing", r.getex("gx-missing", ex=10), None)

    check("mset", r.mset({"m1": "a", "m2": b"\x00b", "m3": 3}), True)
    check("mget", r.mget("m1", "m2", "missing", "m3"), [b"a", b"\x00b", None, b"3"])
    check("mget list arg", r.mget(["m1", "m3"]), [b"a", b"3"])
    check("mget decoded", rs.mget("m1", "missing"), ["a", None])
    check("msetnx all new", r.msetnx({"n1": "1", "n2": "2"}), True)
    check("msetnx one exists", r.msetnx({"n2": "x", "n3": "3"}), False)
    check("msetnx wrote nothing", r.mget("n2", "n3"), [b"2", None])

    check("incr new", r.incr("cnt"), 1)
    check("incrby", r.incrby("cnt", 10), 11)
    check("incr amount", r.incr("cnt", 5), 16)
    check("decr", r.decr("cnt"), 15)
    check("decrby", r.decrby("cnt", 20), -5)
    check("decr amount", r.decr("cnt", 5), -10)
    check("get counter", r.get("cnt"), b"-10")
    check("incrbyfloat", r.incrbyfloat("fl", 1.5), 1.5)
    check("incrbyfloat again", r.incrbyfloat("fl", 0.25), 1.75)
    check("incrbyfloat negative", r.incrbyfloat("fl", -3), -1.25)
    check("incrbyfloat stored", r.get("fl"), b"-1.25")
    check("incrbyfloat int-valued result", r.incrbyfloat("fl", 1.25), 0.0)
    check("incrbyfloat stored as 0", r.get("fl"), b"0")
    r.set("big-int", 2**63 - 1)
    expect_error("incr overflow", lambda: r.incr("big-int"),
                 "increment or decrement would overflow")

    check("append new", r.append("ap", b"ab"), 2)
    check("append", r.append("ap", b"\x00cd"), 5)
    check("append result", r.get("ap"), b"ab\x00cd")
    check("strlen", r.strlen("ap"), 5)
    check("strlen missing", r.strlen("missing"), 0)
    r.set("gr", "Hello, world")
    check("getrange", r.getrange("gr", 0, 4), b"Hello")
    check("getrange negative", r.getrange("gr", -5, -1), b"world")
    check("getrange out of range", r.getrange("gr", 100, 200), b"")
    check("getrange decoded", rs.getrange("gr", 7, -1), "world")
    check("substr", r.substr("gr", 0, 4), b"Hello")
    check("setrange", r.setrange("gr", 7, "Strata"), 13)
    check("setrange result", r.get("gr"), b"Hello, Strata")
    check("setrange pads with NUL", (r.setrange("sr", 3, "x"), r.get("sr")), (4, b"\x00\x00\x00x"))


@section
def keyspace(r, rs):
    r.mset({"a": "1", "b": "2", "c": "3"})
    check("exists several", r.exists("a", "b", "missing", "a"), 3)
    check("delete", r.delete("a", "missing"), 1)
    check("unlink", r.unlink("b", "missing"), 1)
    check("exists after delete", r.exists("a", "b"), 0)
    check("type string", r.type("c"), b"string")
    check("type decoded", rs.type("c"), "string")
    check("type none", r.type("missing"), b"none")
    check("rename", (r.rename("c", "d"), r.get("d"), r.exists("c")), (True, b"3", 0))
    expect_error("rename missing", lambda: r.rename("missing", "x"), "no such key")
    r.set("e", "5")
    check("renamenx onto existing", r.renamenx("d", "e"), False)
    check("renamenx", r.renamenx("d", "f"), True)
    check("renamenx result", r.mget("d", "e", "f"), [None, b"5", b"3"])
    check("touch", r.touch("e", "f", "missing"), 2)
    check("randomkey decoded", rs.randomkey() in {"e", "f"}, True)
    check("copy", r.copy("f", "f2"), True)
    check("copy onto existing", r.copy("f", "e"), False)
    check("copy replace", (r.copy("f", "e", replace=True), r.get("e")), (True, b"3"))

    check("expire", r.expire("e", 100), True)
    check("ttl", r.ttl("e"), 100)
    check("expire missing", r.expire("missing", 100), False)
    check("expire nx on ttl", r.expire("e", 200, nx=True), False)
    check("expire gt", r.expire("e", 200, gt=True), True)
    check("expire lt", r.expire("e", 300, lt=True), False)
    check("ttl after options", r.ttl("e"), 200)
    check("pexpire", r.pexpire("e", 50_000), True)
    check_true("pttl after pexpire", 45_000 <= r.pttl("e") <= 50_000)
    at = int(time.time()) + 500
    check("expireat", r.expireat("e", at), True)
    check("expiretime", r.expiretime("e"), at)
    check_true("ttl after expireat", 490 <= r.ttl("e") <= 500)
    pat = int(time.time() * 1000) + 60_000
    check("pexpireat", r.pexpireat("e", pat), True)
    check("pexpiretime", r.pexpiretime("e"), pat)
    check("persist", r.persist("e"), True)
    check("persist again", r.persist("e"), False)
    check("ttl no expiry", r.ttl("e"), -1)
    check("pttl no expiry", r.pttl("e"), -1)
    check("ttl missing", r.ttl("missing"), -2)
    check("pttl missing", r.pttl("missing"), -2)
    check("expire in the past deletes", (r.expire("e", -1), r.exists("e")), (True, 0))
    r.set("td", "v")
    check("expire timedelta", r.expire("td", datetime.timedelta(seconds=30)), True)
    check("ttl timedelta", r.ttl("td"), 30)


@section
def keys_and_scan(r, rs):
    r.flushdb()
    check("dbsize empty", r.dbsize(), 0)
    pipe = r.pipeline(transaction=False)
    user_keys = {f"user:{i}".encode() for i in range(500)}
    other_keys = {f"other:{i}".encode() for i in range(120)}
    for k in sorted(user_keys | other_keys):
        pipe.set(k, b"v")
    check_true("bulk set", all(x is True for x in pipe.execute()))
    check("dbsize", r.dbsize(), 620)
    check("keys pattern", set(r.keys("user:*")), user_keys)
    check("keys decoded pattern", set(rs.keys("other:1?")), {f"other:{i}" for i in range(10, 20)})
    check("keys all", len(r.keys()), 620)

    def scan_all(**kw):
        seen = []
        for k in r.scan_iter(**kw):
            seen.append(k)
        return seen

    for count in (None, 1, 7, 100, 1000):
        seen = scan_all(match="user:*", count=count)
        check(f"scan_iter match count={count} each key once", len(seen), len(set(seen)))
        check(f"scan_iter match count={count} all keys", set(seen), user_keys)
    seen = scan_all(count=50)
    check("scan_iter all each key once", len(seen), len(set(seen)))
    check("scan_iter all keys", set(seen), user_keys | other_keys)
    seen = list(rs.scan_iter(match="other:11*"))
    check("scan_iter decoded", sorted(seen), ["other:11", "other:110", "other:111", "other:112",
                                              "other:113", "other:114", "other:115", "other:116",
                                              "other:117", "other:118", "other:119"])
    seen = scan_all(_type="string", count=200)
    check("scan_iter type string", set(seen), user_keys | other_keys)
    check("scan_iter type hash", scan_all(_type="hash"), [])
    cursor, batch = r.scan(0, match="user:*", count=10)
    check_true("scan cursor is int", isinstance(cursor, int) and cursor >= 0, f"cursor={cursor!r}")
    check_true("scan batch is list", isinstance(batch, list))

    # Databases: a second client on db 1 (redis-py sends SELECT on connect).
    r1 = client(db=1)
    try:
        r1.flushdb()
        check("db1 empty", r1.dbsize(), 0)
        check("db1 set", r1.set("only-in-1", "v"), True)
        check("db1 get", r1.get("only-in-1"), b"v")
        check("db0 does not see db1", r.get("only-in-1"), None)
        check("db1 does not see db0", r1.exists("user:1"), 0)
        check("move to db1", r.move("user:1", 1), True)
        check("moved", (r.exists("user:1"), r1.get("user:1")), (0, b"v"))
        check("copy to db", r.copy("user:2", "user:2", destination_db=1), True)
        check("copied", (r.exists("user:2"), r1.exists("user:2")), (1, 1))
        check("db1 dbsize", r1.dbsize(), 3)
        info_ks = r.info("keyspace")
        check("info keyspace db0 keys", info_ks.get("db0", {}).get("keys"), 619)
        check("info keyspace db1 keys", info_ks.get("db1", {}).get("keys"), 3)
        check("flushdb db1", r1.flushdb(), True)
        check("db1 empty again", r1.dbsize(), 0)
        check("db0 untouched by flushdb on db1", r.dbsize(), 619)
        check("flushdb async", r.flushdb(asynchronous=True), True)
        check("dbsize after flushdb", r.dbsize(), 0)
        check("keys after flushdb", r.keys(), [])
        check("info keyspace after flush", "db0" in r.info("keyspace"), False)
    finally:
        r1.close()

    r2 = client(db=2)
    try:
        r2.flushdb()
        r.set("swap-me", "from-0")
        check("swapdb", r.swapdb(0, 2), True)
        check("swapdb moved key", (r.get("swap-me"), r2.get("swap-me")), (None, b"from-0"))
        r.swapdb(0, 2)
        check("swapdb back", r.get("swap-me"), b"from-0")
    finally:
        r2.close()


@section
def pipelines(r, rs):
    pipe = r.pipeline(transaction=False)
    for i in range(300):
        pipe.set(f"pl:{i}", i)
    for i in range(300):
        pipe.incr(f"pl:{i}")
    for i in range(300):
        pipe.get(f"pl:{i}")
    pipe.mget([f"pl:{i}" for i in range(300)])
    pipe.delete(*[f"pl:{i}" for i in range(0, 300, 2)])
    pipe.dbsize()
    res = pipe.execute()
    check("pipeline reply count", len(res), 903)
    check("pipeline sets", res[:300], [True] * 300)
    check("pipeline incrs", res[300:600], list(range(1, 301)))
    check("pipeline gets", res[600:900], [str(i + 1).encode() for i in range(300)])
    check("pipeline mget", res[900], [str(i + 1).encode() for i in range(300)])
    check("pipeline delete", res[901], 150)
    # Chained, decoded.
    res = rs.pipeline(transaction=False).set("pc", "x").append("pc", "y").get("pc").execute()
    check("chained decoded pipeline", res, [True, 2, "xy"])
    # An error inside a pipeline: raised by default, returned in place with raise_on_error=False.
    r.set("notint", "abc")
    pipe = r.pipeline(transaction=False)
    pipe.set("pe", 1).incr("notint").incr("pe")
    expect_error("pipeline raises first error", pipe.execute,
                 "Command # 2 (INCRBY notint 1) of pipeline caused error: "
                 "value is not an integer or out of range")
    check("commands after the error ran", r.get("pe"), b"2")
    pipe = r.pipeline(transaction=False)
    pipe.get("pe").incr("notint").get("pe")
    res = pipe.execute(raise_on_error=False)
    check("pipeline raise_on_error=False: others", (res[0], res[2]), (b"2", b"2"))
    check_true("pipeline raise_on_error=False: error in place",
               isinstance(res[1], redis.ResponseError)
               and str(res[1]) == "value is not an integer or out of range", repr(res[1]))
    # A pipeline object is reusable after execute().
    pipe = r.pipeline(transaction=False)
    pipe.set("reuse", 1)
    pipe.execute()
    pipe.incr("reuse")
    check("pipeline reuse", pipe.execute(), [2])


@section
def transactions_scripts_pubsub(r, rs):
    # r.pipeline() is a MULTI/EXEC transaction by default.
    res = r.pipeline().set("tx:a", 1).incr("tx:a").lpush("tx:l", "x", "y").execute()
    check("transaction pipeline", res, [True, 2, 2])
    # WATCH-based optimistic locking, as redis-py's transaction() helper does it.
    r.set("tx:balance", 100)

    def withdraw(pipe):
        balance = int(pipe.get("tx:balance"))
        pipe.multi()
        pipe.set("tx:balance", balance - 30)

    r.transaction(withdraw, "tx:balance")
    check("watched transaction", r.get("tx:balance"), b"70")
    # Scripts: r.lock() acquires with SET NX PX and releases with a Lua script.
    lock = r.lock("tx:lock", timeout=10)
    check_true("lock acquired", lock.acquire(blocking=False))
    check_true("lock held elsewhere", not r.lock("tx:lock").acquire(blocking=False))
    lock.release()
    check("lock released", r.exists("tx:lock"), 0)
    incr_by = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    check("registered script (EVALSHA, then EVAL on NOSCRIPT)", incr_by(keys=["tx:n"], args=[5]), 5)
    r.script_flush()
    check("registered script after SCRIPT FLUSH", incr_by(keys=["tx:n"], args=[5]), 10)
    # Pub/sub.
    p = r.pubsub()
    p.subscribe("tx:chan")
    check("subscribe confirmation", p.get_message(timeout=1)["type"], "subscribe")
    check("publish receivers", r.publish("tx:chan", "hello"), 1)
    msg = p.get_message(timeout=1)
    check("message received", (msg["type"], msg["data"]), ("message", b"hello"))
    p.close()


@section
def pool_and_threads(r, rs):
    pool = redis.ConnectionPool(host=HOST, port=PORT, max_connections=8, socket_timeout=10)
    shared = redis.Redis(connection_pool=pool)
    shared.delete("threads:counter")
    errors = []
    n_threads, n_ops = 6, 150

    def worker(t):
        try:
            for i in range(n_ops):
                shared.incr("threads:counter")
                key = f"threads:{t}:{i}"
                value = f"{t}-{i}-".encode() + bytes([t, i % 256, 0])
                shared.set(key, value)
                got = shared.get(key)
                if got != value:
                    errors.append(f"thread {t} op {i}: got {got!r} for {key}")
                    return
                if i % 50 == 0:
                    p = shared.pipeline(transaction=False)
                    p.incr("threads:counter").get(key)
                    _, v = p.execute()
                    if v != value:
                        errors.append(f"thread {t} pipeline {i}: got {v!r}")
                        return
        except Exception as e:  # noqa: BLE001
            errors.append(f"thread {t}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check("thread errors", errors, [])
    check("threads counter", shared.get("threads:counter"), str(n_threads * (n_ops + 3)).encode())
    check_true("pool opened several connections", 1 < len(pool._available_connections) <= 8,
               f"available={len(pool._available_connections)}")
    clients = shared.client_list()
    check_true("client list sees the pool", len(clients) >= len(pool._available_connections),
               f"{len(clients)} clients")
    pool.disconnect()


@section
def client_commands(r, rs):
    named = client(client_name="py-check")  # redis-py sends CLIENT SETNAME on connect
    try:
        check("client_name on connect", named.client_getname(), "py-check")
        my_id = named.client_id()
        check_true("client_id is int", isinstance(my_id, int) and my_id > 0, repr(my_id))
        check("client_setname", named.client_setname("renamed"), True)
        check("client_getname", named.client_getname(), "renamed")  # always str in 4.3.4
        mine = [c for c in named.client_list() if c.get("id") == str(my_id)]
        check("client_list has me once", len(mine), 1)
        if mine:
            check("client_list name", mine[0].get("name"), "renamed")
            check("client_list db", mine[0].get("db"), "0")
            check("client_list cmd", mine[0].get("cmd"), "client|list")
            check_true("client_list addr", mine[0].get("addr", "").startswith("127.0.0.1:"),
                       repr(mine[0].get("addr")))
        check_true("client_list type normal",
                   any(c.get("id") == str(my_id) for c in named.client_list(_type="normal")))
        by_id = named.client_list(client_id=[str(my_id)])
        check("client_list by id", [c.get("name") for c in by_id], ["renamed"])
        info = named.client_info()
        check("client_info id", info.get("id"), my_id)  # client_info parses numbers
        check("client_info name", info.get("name"), "renamed")
        check("client_getname unnamed", r.client_getname(), None)
        check("client_getname decoded", rs.client_getname(), None)
        check("client_setname decoded", (rs.client_setname("dec"), rs.client_getname()),
              (True, "dec"))
        expect_error("client_setname with space", lambda: r.client_setname("a b"),
                     "Client names cannot contain spaces, newlines or special characters.")
        other = client()
        other_id = other.client_id()
        check("client_kill_filter", r.client_kill_filter(_id=other_id), 1)
        check_true("killed client gone",
                   all(c.get("id") != str(other_id) for c in r.client_list()))
        other.close()
    finally:
        named.close()


@section
def server_commands(r, rs):
    info = r.info()
    version = info.get("redis_version")
    check_true("info redis_version", isinstance(version, str) and version.startswith("7."),
               repr(version))
    check_true("info connected_clients", isinstance(info.get("connected_clients"), int)
               and info["connected_clients"] >= 1, repr(info.get("connected_clients")))
    check_true("info tcp_port", info.get("tcp_port") == PORT, repr(info.get("tcp_port")))
    check_true("info uptime", isinstance(info.get("uptime_in_seconds"), int))
    check_true("info process_id", isinstance(info.get("process_id"), int))
    check_true("info total_commands_processed",
               isinstance(info.get("total_commands_processed"), int)
               and info["total_commands_processed"] > 100)
    check_true("info used_memory", isinstance(info.get("used_memory"), int))
    server = r.info("server")
    check("info('server') version", server.get("redis_version"), version)
    check_true("info('server') has no clients section", "connected_clients" not in server)
    clients = rs.info("clients")
    check_true("info('clients') decoded", isinstance(clients.get("connected_clients"), int))
    stats = r.info("stats")
    check_true("info('stats') keyspace_hits", isinstance(stats.get("keyspace_hits"), int))
    r.flushdb()
    r.set("ks1", "v")
    r.set("ks2", "v", ex=1000)
    ks = r.info("keyspace")
    check("info('keyspace') db0", ks.get("db0", {}).get("keys"), 2)
    check("info('keyspace') expires", ks.get("db0", {}).get("expires"), 1)
    check_true("info('keyspace') avg_ttl", isinstance(ks.get("db0", {}).get("avg_ttl"), int))
    everything = r.info("all")
    check_true("info('all')", "redis_version" in everything and "connected_clients" in everything)

    check("config_get databases", r.config_get("databases"), {"databases": "16"})
    check("config_get decoded", rs.config_get("databases"), {"databases": "16"})
    old = r.config_get("slowlog-max-len")["slowlog-max-len"]
    check("config_set", r.config_set("slowlog-max-len", 77), True)
    check("config_get after set", r.config_get("slowlog-max-len"), {"slowlog-max-len": "77"})
    check("config_set restore", r.config_set("slowlog-max-len", old), True)
    slow = r.config_get("slowlog-*")
    check_true("config_get glob", set(slow) >= {"slowlog-max-len", "slowlog-log-slower-than"},
               repr(slow))
    check("config_get unknown", r.config_get("no-such-option"), {})
    expect_error("config_set unknown", lambda: r.config_set("no-such-option", "1"),
                 "Unknown option or number of arguments for CONFIG SET - 'no-such-option'")
    check("config_resetstat", r.config_resetstat(), True)

    secs, usecs = r.time()
    check_true("time", isinstance(secs, int) and isinstance(usecs, int) and 0 <= usecs < 10**6
               and abs(secs - time.time()) < 5, repr((secs, usecs)))
    check_true("lastsave", r.lastsave() is not None)
    check_true("command_count", isinstance(r.command_count(), int) and r.command_count() > 50)
    check("slowlog_reset", r.slowlog_reset(), True)
    check_true("slowlog_get", isinstance(r.slowlog_get(), list))
    check_true("slowlog_len", isinstance(r.slowlog_len(), int))


@section
def errors(r, rs):
    r.set("str", "not a number")
    msg = "value is not an integer or out of range"
    expect_error("incr non-integer", lambda: r.incr("str"), msg)
    expect_error("incrby non-integer", lambda: r.incrby("str", 2), msg)
    expect_error("decr non-integer decoded", lambda: rs.decr("str"), msg)
    expect_error("incrbyfloat non-float", lambda: r.incrbyfloat("str", 1.0),
                 "value is not a valid float")
    expect_error("expire non-integer", lambda: r.execute_command("EXPIRE", "str", "soon"), msg)
    expect_error("setrange negative offset", lambda: r.setrange("str", -1, "x"),
                 "offset is out of range")
    expect_error("getex conflicting options",
                 lambda: r.execute_command("GETEX", "str", "EX", "1", "PERSIST"), "syntax error")
    expect_error("wrong arity", lambda: r.execute_command("GET"),
                 "wrong number of arguments for 'get' command")
    # What an application reaching for another data type sees from Strata (and from Redis, for
    # a command it does not have).
    expect_error("unknown command", lambda: r.execute_command("NOSUCHCMD", "k", "v"),
                 "unknown command 'NOSUCHCMD', with args beginning with: 'k' 'v' ")
    expect_error("select out of range", lambda: client(db=99).ping(),
                 "DB index is out of range")
    check("connection usable after errors", r.get("str"), b"not a number")
    # redis-py 4.3.4 maps only Redis 5's wording of this error to AuthenticationError.
    expect_error("auth without password", lambda: r.execute_command("AUTH", "pw"),
                 "AUTH <password> called without any password configured for the default user. "
                 "Are you sure your configuration is correct?")


def main():
    r = client()
    rs = client(decode_responses=True)
    try:
        r.ping()
    except redis.ConnectionError as e:
        print(f"cannot connect to {HOST}:{PORT}: {e}")
        return 1
    for fn in SECTIONS:
        before = len(failures)
        try:
            r.flushall()  # each section starts from empty databases
            fn(r, rs)
        except Exception:  # noqa: BLE001 - an unexpected exception fails the section
            failures.append(f"section {fn.__name__} raised:\n{traceback.format_exc()}")
        status = "ok" if len(failures) == before else f"{len(failures) - before} FAILED"
        print(f"{fn.__name__}: {status}")
    print(f"redis-py {redis.__version__} against {HOST}:{PORT} "
          f"({r.info('server').get('redis_version')}): {checks} checks, {len(failures)} failed")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
