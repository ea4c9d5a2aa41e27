"""Starting and stopping the two servers under test, each on a free loopback port in its own
temporary directory. Only processes started here are ever signalled (by their pid)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from resp import Conn

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_STRATA = os.path.join(REPO_ROOT, "build", "strata-server")
DEFAULT_REDIS = "/usr/bin/redis-server"


def strata_binary():
    path = os.environ.get("STRATA_SERVER", DEFAULT_STRATA)
    if not os.path.isabs(path):
        path = os.path.join(REPO_ROOT, path)
    return path


def redis_binary():
    return os.environ.get("REDIS_SERVER", DEFAULT_REDIS)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process. kind is 'redis' or 'strata'."""

    def __init__(self, kind):
        self.kind = kind
        self.proc = None
        self.dir = None
        self.port = None
        self.log = None

    def command_line(self):
        # STRATA_SERVER=/usr/bin/redis-server runs Redis against itself: a self-test of the
        # tester, which must then report no difference at all.
        if self.kind == "redis" or os.path.basename(strata_binary()) == "redis-server":
            binary = redis_binary() if self.kind == "redis" else strata_binary()
            return [binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", self.dir,
                    "--logfile", self.log, "--enable-debug-command", "yes",
                    "--daemonize", "no"]
        return [strata_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--logfile", self.log, "--enable-debug-command", "yes"]

    def start(self):
        last_err = None
        for _ in range(5):
            self.dir = tempfile.mkdtemp(prefix="strata-diff-%s-" % self.kind)
            self.log = os.path.join(self.dir, "server.log")
            self.port = free_port()
            self.proc = subprocess.Popen(self.command_line(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         cwd=self.dir)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    c = Conn(self.port, timeout=2)
                    r = c.call(["PING"])
                    c.close()
                    if r.raw == b"+PONG\r\n":
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            err = b""
            if self.proc.poll() is not None:
                err = self.proc.stderr.read() or b""
            last_err = "%s did not start on port %d: %s" % (self.kind, self.port,
                                                             err.decode("latin-1").strip())
            self.stop()
        raise RuntimeError(last_err)

    def log_tail(self, n=15):
        """The last lines of the server's log and of its stderr (after it exited)."""
        out = []
        try:
            with open(self.log, "rb") as f:
                out += f.read().decode("latin-1").splitlines()[-n:]
        except (OSError, TypeError):
            pass
        if self.proc is not None and self.proc.poll() is not None and self.proc.stderr:
            try:
                out += self.proc.stderr.read().decode("latin-1").splitlines()[-n:]
            except (OSError, ValueError):
                pass
        if self.proc is not None and self.proc.poll() is not None:
            out.append("(exit status %s)" % self.proc.returncode)
        return out

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


class Pair:
    """Redis (the oracle) and Strata, started together, stopped together."""

    def __init__(self):
        self.redis = Server("redis")
        self.strata = Server("strata")

    def start(self):
        if not os.path.exists(strata_binary()):
            raise RuntimeError("no Strata binary at %s (set STRATA_SERVER)" % strata_binary())
        try:
            self.redis.start()
            self.strata.start()
        except Exception:
            self.stop()
            raise
        return self

    def servers(self):
        return (self.redis, self.strata)

    def stop(self):
        self.redis.stop()
        self.strata.stop()
