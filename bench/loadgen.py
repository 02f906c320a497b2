"""An asyncio + httpx load generator for Rasa's REST channel.

``N`` shoppers talk at the same time; each sends its scripted turns one after another and
waits for the reply before the next (like a person in a chat window), so the offered load is
"N concurrent conversations", not an open request rate. Bounded: every request has a timeout
and the whole run a deadline; only loopback targets are allowed (this is a benchmark, never a
tool to aim at someone else's server).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

LOOPBACK_NAMES = {"localhost"}


def ensure_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host in LOOPBACK_NAMES:
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"the load generator only targets loopback addresses, not {host!r}")


@dataclass
class Turn:
    conversation: int
    index: int
    text: str
    latency_ms: float
    ok: bool
    replies: int
    error: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list, repr=False)


@dataclass
class LoadResult:
    concurrency: int
    turns: list[Turn] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok_latencies(self) -> list[float]:
        return [t.latency_ms for t in self.turns if t.ok]

    def summary(self) -> dict[str, float | int]:
        lat = self.ok_latencies
        return {
            "concurrency": self.concurrency,
            "turns": len(self.turns),
            "failed": sum(not t.ok for t in self.turns),
            "unanswered": sum(t.ok and t.replies == 0 for t in self.turns),
            "p50_ms": round(percentile(lat, 0.50), 1),
            "p95_ms": round(percentile(lat, 0.95), 1),
            "p99_ms": round(percentile(lat, 0.99), 1),
            "mean_ms": round(sum(lat) / len(lat), 1) if lat else float("nan"),
            "turns_per_s": round(len(lat) / self.wall_s, 2) if self.wall_s else 0.0,
            "wall_s": round(self.wall_s, 2),
        }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported p99 is a latency that happened)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


async def _conversation(
    client: httpx.AsyncClient,
    url: str,
    sender: str,
    number: int,
    script: Sequence[str],
    out: list[Turn],
    deadline: float,
) -> None:
    for index, text in enumerate(script):
        if time.monotonic() > deadline:
            out.append(Turn(number, index, text, 0.0, False, 0, "deadline"))
            continue
        started = time.perf_counter()
        try:
            response = await client.post(url, json={"sender": sender, "message": text})
            elapsed = (time.perf_counter() - started) * 1000
            ok = response.status_code == 200
            bodies = response.json() if ok else []
            error = "" if ok else str(response.status_code)
            out.append(Turn(number, index, text, elapsed, ok, len(bodies), error, bodies))
        except (httpx.HTTPError, ValueError) as exc:
            elapsed = (time.perf_counter() - started) * 1000
            out.append(Turn(number, index, text, elapsed, False, 0, type(exc).__name__))


async def run_load(
    rasa_url: str,
    scripts: Sequence[Sequence[str]],
    sender_prefix: str,
    request_timeout_s: float = 60.0,
    max_duration_s: float = 600.0,
) -> LoadResult:
    """Run ``len(scripts)`` conversations concurrently; one script per conversation."""
    ensure_loopback(rasa_url)
    url = f"{rasa_url}/webhooks/rest/webhook"
    result = LoadResult(concurrency=len(scripts))
    limits = httpx.Limits(max_connections=len(scripts), max_keepalive_connections=len(scripts))
    deadline = time.monotonic() + max_duration_s
    async with httpx.AsyncClient(timeout=request_timeout_s, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _conversation(
                    client, url, f"{sender_prefix}-{i}", i, script, result.turns, deadline
                )
                for i, script in enumerate(scripts)
            )
        )
        result.wall_s = time.perf_counter() - started
    return result
