"""Start and stop the three shopbot processes: Rasa server, action server, web app.

Used by ``make run`` (``shopbot web run-stack``), the end-to-end and browser tests, and the
benchmarks, so every one of them runs the product the same way. Rasa runs from ``.venv-rasa``
(CPython 3.10); the action server and the web app from the project's ``.venv``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.db.session import normalise_url
from bot.settings import PROJECT_ROOT, child_environment

log = logging.getLogger(__name__)

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "shopbot.tar.gz"


# Ports for our servers come from below Linux's ephemeral range (32768-60999 by default):
# a port the kernel hands out for bind(0) can be taken by any outgoing connection's local end
# before our server binds it (seen in CI: "address already in use" for a replica proxy).
_PORT_RANGE = (20000, 32000)
_handed_out: set[int] = set()
_port_lock = threading.Lock()


def free_port() -> int:
    """A port free now on 127.0.0.1, outside the ephemeral range, never handed out before."""
    with _port_lock:
        for _ in range(200):
            port = random.randint(*_PORT_RANGE)
            if port in _handed_out:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
    with socket.socket() as sock:  # the whole range busy: let the kernel choose
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rasa_events_url(database_url: str) -> str:
    """The shop database URL in the form Rasa's SQLAlchemy 1.4 + psycopg2 understands."""
    url = normalise_url(database_url)
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# Rasa serves every message on one event-loop thread; a second OpenBLAS/OpenMP thread per
# matrix product (the MiniLM featurizer) only spins against that thread and the other
# processes on a small host: under 8 concurrent conversations one BLAS thread gave 29-31
# turns/s vs 24-26 with the default two (docs/performance.md). Scale with replicas instead.
RASA_THREAD_LIMITS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def rasa_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a Rasa server: one math thread unless the operator set otherwise."""
    return {**RASA_THREAD_LIMITS, **env}


def redis_endpoint_env(redis_url: str) -> dict[str, str]:
    """Split a redis:// URL into the host/port/db/password fields Rasa's Redis stores take."""
    parts = urlsplit(redis_url)
    db = (parts.path or "/0").lstrip("/") or "0"
    return {
        "SHOPBOT_REDIS_HOST": parts.hostname or "127.0.0.1",
        "SHOPBOT_REDIS_PORT": str(parts.port or 6379),
        "SHOPBOT_REDIS_DB": db,
        "SHOPBOT_REDIS_PASSWORD": parts.password or "",
    }


@dataclass
class StackConfig:
    database_url: str
    redis_url: str | None = None
    model: Path = DEFAULT_MODEL
    rasa_port: int = 0
    actions_port: int = 0
    web_port: int = 0
    host: str = "127.0.0.1"
    # Random per run unless given (run-stack passes the operator's): hex, because a url-safe
    # token may start with "-", which `rasa run` reads as an option.
    rasa_token: str = field(default_factory=lambda: secrets.token_hex(24))
    # Shared by Rasa (endpoints*.yml `action_endpoint.headers`) and the action server.
    action_token: str = field(default_factory=lambda: secrets.token_hex(32))
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    # Browser origins Rasa allows (CORS); None: the web app's own origin.
    cors_origins: str | None = None
    log_dir: Path = PROJECT_ROOT / "var" / "logs"
    with_web: bool = True
    # Atomic across replicas (rasa_addons/lock_store.py); only used when Redis is configured.
    lock_store: str = "rasa_addons.lock_store.AtomicRedisLockStore"
    extra_env: dict[str, str] = field(default_factory=dict)
    # Scale-out on one machine: several Rasa servers / action servers behind a round-robin
    # proxy (bot/runtime/proxy.py); ``rasa_port`` / ``actions_port`` are then the proxies'.
    rasa_replicas: int = 1
    actions_replicas: int = 1
    # Put the proxy in front of Rasa even with one replica (same path for 1 vs N benchmarks).
    always_proxy: bool = False


@dataclass
class _Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path


class StackError(RuntimeError):
    pass


class Stack:
    """The running product. Use as a context manager or call ``start()``/``stop()``."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        c = config
        c.rasa_port = c.rasa_port or free_port()
        c.actions_port = c.actions_port or free_port()
        c.web_port = c.web_port or free_port()
        if c.rasa_replicas < 1 or c.actions_replicas < 1:
            raise ValueError("replica counts must be at least 1")
        # Without a proxy the only replica listens on the public port itself.
        self.rasa_replica_ports = (
            [free_port() for _ in range(c.rasa_replicas)] if self.rasa_proxied else [c.rasa_port]
        )
        self.actions_replica_ports = (
            [free_port() for _ in range(c.actions_replicas)]
            if self.actions_proxied
            else [c.actions_port]
        )
        self._procs: list[_Proc] = []
        self._ports: dict[str, int] = {}

    # -- urls ---------------------------------------------------------------------------
    @property
    def rasa_proxied(self) -> bool:
        return self.config.rasa_replicas > 1 or self.config.always_proxy

    @property
    def actions_proxied(self) -> bool:
        return self.config.actions_replicas > 1

    @property
    def rasa_replica_urls(self) -> list[str]:
        """One URL per Rasa server (``rasa_url`` is the proxy's when there are several)."""
        return [f"http://{self.config.host}:{port}" for port in self.rasa_replica_ports]

    @property
    def actions_replica_urls(self) -> list[str]:
        return [f"http://{self.config.host}:{port}" for port in self.actions_replica_ports]

    @staticmethod
    def replica_name(service: str, index: int) -> str:
        """``rasa``, ``rasa-1``, ...: the first replica keeps the single-process name."""
        return service if index == 0 else f"{service}-{index}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.config.host}:{self.config.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.config.host}:{self.config.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.config.host}:{self.config.web_port}"

    @property
    def endpoints_file(self) -> Path:
        name = "endpoints.yml" if self.config.redis_url else "endpoints.embedded.yml"
        return PROJECT_ROOT / name

    def env(self) -> dict[str, str]:
        """Environment shared by the three processes (the single source of their config)."""
        c = self.config
        env = child_environment(
            **{
                "PYTHONPATH": str(PROJECT_ROOT),
                "DATABASE_URL": normalise_url(c.database_url),
                "SHOPBOT_RASA_URL": self.rasa_url,
                "SHOPBOT_RASA_TOKEN": c.rasa_token,
                "SHOPBOT_ACTION_SERVER_TOKEN": c.action_token,
                "SHOPBOT_SECRET_KEY": c.secret_key,
                "SHOPBOT_CORS_ORIGINS": c.cors_origins or self.web_url,
                "SHOPBOT_ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
                "SHOPBOT_EVENTS_DB_URL": rasa_events_url(c.database_url),
                "SHOPBOT_LOCK_STORE": c.lock_store,
                "SHOPBOT_WEB_PORT": str(c.web_port),
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "RASA_TELEMETRY_ENABLED": "false",
            }
        )
        if c.redis_url:
            env["REDIS_URL"] = c.redis_url
            env["SHOPBOT_SOCKETIO_REDIS_URL"] = c.redis_url
            env.update(redis_endpoint_env(c.redis_url))
        else:
            env.pop("REDIS_URL", None)
        env.update(c.extra_env)
        return env

    # -- lifecycle ----------------------------------------------------------------------
    def start(self, timeout_s: float = 240.0) -> Stack:
        c = self.config
        if not c.model.exists():
            raise StackError(f"No trained model at {c.model}; run `make train` first.")
        if not RASA_BIN.exists():
            raise StackError(f"{RASA_BIN} is missing; run `make setup` first.")
        c.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.env()
        py = sys.executable
        for i, port in enumerate(self.actions_replica_ports):
            self._spawn(
                self.replica_name("actions", i),
                [py, "-m", "actions.server", "--host", c.host, "--port", str(port)],
                env,
                port,
            )
        if self.actions_proxied:
            self._spawn_proxy("actions-proxy", c.actions_port, self.actions_replica_urls, env)
        for i, port in enumerate(self.rasa_replica_ports):
            self._spawn(
                self.replica_name("rasa", i),
                # The token and CORS origins go through the environment (not visible in ps).
                [
                    str(RASA_PYTHON), "-m", "rasa_addons.rasa_server", "run",
                    "--model", str(c.model), "--enable-api", "--interface", c.host,
                    "--port", str(port), "--endpoints", str(self.endpoints_file),
                    "--credentials", str(PROJECT_ROOT / "credentials.yml"),
                ],
                rasa_env(env),
                port,
            )  # fmt: skip
        if self.rasa_proxied:
            self._spawn_proxy("rasa-proxy", c.rasa_port, self.rasa_replica_urls, env)
        if c.with_web:
            self._spawn(
                "web",
                [
                    py, "-m", "uvicorn", "bot.web.app:create_app", "--factory",
                    "--host", c.host, "--port", str(c.web_port), "--log-level", "warning",
                    "--no-proxy-headers",  # client addresses: SHOPBOT_TRUSTED_PROXIES only
                ],
                env,
            )  # fmt: skip
        try:
            self._wait_healthy(timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn_proxy(self, name: str, port: int, upstreams: list[str], env: dict[str, str]) -> None:
        cmd = [sys.executable, "-m", "bot.runtime.proxy", "--host", self.config.host]
        self._spawn(name, [*cmd, "--port", str(port), *upstreams], env, port)

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str], port: int = 0) -> None:
        self._ports[name] = port or self._port_of(name)
        log_path = self.config.log_dir / f"{name}-{self._ports[name]}.log"
        # Only the owner reads the logs: they can hold what shoppers wrote (failures quote it).
        handle = os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        os.chmod(log_path, 0o600)  # an older file of the same name keeps its mode otherwise
        popen = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        handle.close()
        self._procs.append(_Proc(name, popen, log_path))

    def _port_of(self, name: str) -> int:
        c = self.config
        return {"rasa": c.rasa_port, "actions": c.actions_port, "web": c.web_port}[name]

    def _health_url(self, name: str) -> str:
        base = f"http://{self.config.host}:{self._ports[name]}"
        if name.endswith("-proxy"):
            return f"{base}/__proxy__/stats"
        service = name.split("-")[0]
        return {"rasa": f"{base}/", "actions": f"{base}/health", "web": f"{base}/health"}[service]

    def proxy_stats(self, name: str = "rasa-proxy") -> dict[str, Any]:
        """Requests per upstream counted by a proxy (``rasa-proxy`` or ``actions-proxy``)."""
        url = f"http://{self.config.host}:{self._ports[name]}/__proxy__/stats"
        return dict(httpx.get(url, timeout=5.0).json())

    def _wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        pending = {p.name: p for p in self._procs}
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name, proc in list(pending.items()):
                    if proc.popen.poll() is not None:
                        raise StackError(
                            f"{name} exited with {proc.popen.returncode}; last log lines:\n"
                            + self.tail(name)
                        )
                    try:
                        if client.get(self._health_url(name)).status_code == 200:
                            log.info("%s is up", name)
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise StackError(
                        f"timed out waiting for {', '.join(pending)}; logs:\n"
                        + "\n".join(self.tail(n) for n in pending)
                    )
                if pending:
                    time.sleep(0.5)

    def tail(self, name: str, lines: int = 40) -> str:
        for proc in self._procs:
            if proc.name == name and proc.log_path.exists():
                text = proc.log_path.read_text(errors="replace").splitlines()
                return "\n".join(text[-lines:])
        return ""

    def process(self, name: str) -> subprocess.Popen[bytes]:
        for proc in self._procs:
            if proc.name == name:
                return proc.popen
        raise KeyError(name)

    def restart(self, name: str, timeout_s: float = 120.0) -> None:
        """Stop one process and start it again with the same command (fault tests)."""
        for proc in self._procs:
            if proc.name == name:
                _terminate(proc.popen)
                args = proc.popen.args
                self._procs.remove(proc)
                self._spawn(name, list(args), self.env(), self._ports[name])  # type: ignore[arg-type]
                break
        self._wait_healthy(timeout_s)

    def stop(self) -> None:
        for proc in reversed(self._procs):
            _terminate(proc.popen)
        self._procs.clear()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _terminate(popen: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    if popen.poll() is not None:
        return
    try:
        os.killpg(popen.pid, 15)
        popen.wait(timeout=grace_s)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, 9)
        popen.wait(timeout=5)
