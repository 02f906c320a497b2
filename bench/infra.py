"""Throw-away infrastructure for benchmarks and fault tests: a PostgreSQL shop database with
the τ-bench and demo shops, a private ``redis-server`` on a free port, and RSS sampling.

Private Redis and a private database mean a benchmark (or a fault test that kills Redis) never
disturbs other work on the machine, and every number is measured on a known, fresh state.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import redis
from sqlalchemy import create_engine, text

from bot.runtime.stack import free_port
from bot.settings import PROJECT_ROOT

PG_ADMIN_URL = os.environ.get(
    "SHOPBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TAU_DIR = PROJECT_ROOT.parent / "shared" / "data" / "tau_retail"


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_database(prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_database(name: str) -> None:
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def shopbot(args: list[str], database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url)
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-m", "bot.cli.main", *args]
    done = subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"`shopbot {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")


@contextlib.contextmanager
def shop_database(prefix: str = "shopbot_bench") -> Iterator[str]:
    """A fresh PostgreSQL database with the schema, the τ-bench shop and the demo shop."""
    name, url = create_database(prefix)
    try:
        shopbot(["db", "upgrade"], url)
        shopbot(["shop", "load", "tau", str(TAU_DIR)], url)
        shopbot(["shop", "load", "demo"], url)
        yield url
    finally:
        drop_database(name)


class RedisServer:
    """A private ``redis-server`` (no persistence) that a test may stop and start again."""

    def __init__(
        self, port: int = 0, workdir: Path | None = None, persistent: bool = False
    ) -> None:
        self.port = port or free_port()
        # persistent: an append-only file synced on every write, so a restart keeps the data
        # (as a production Redis would); otherwise no persistence at all.
        self.persistent = persistent
        self.workdir = workdir or Path(PROJECT_ROOT / "var" / "redis")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--dir", str(self.workdir),
        ]  # fmt: skip
        if self.persistent:
            cmd += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            cmd += ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                client = redis.Redis(port=self.port, socket_timeout=0.5)
                client.ping()
                client.close()
                return self
            time.sleep(0.1)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MB (0 if it is gone)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 1024 / 1024
