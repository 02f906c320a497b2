"""Catalog retrieval latency at 1k/10k/100k generated products, with a PNG plot.

Reuses the catalog area's generator and timer (``bot.catalog.benchmark``): each synthetic
product copies a demo product's type, text and variants under a new brand/model name and
gets that demo product's REAL MiniLM vector plus small noise (re-normalised). Computing 100k
real embeddings on this 2-core machine would take hours, and query latency depends on the
matrix size, not on what the vectors mean; the real embedding throughput is measured here on
a sample of the demo catalog and reported next to the table. Queries are the 75 labelled
retrieval evaluation queries; query embeddings are computed per query (no cache).

    .venv/bin/python -m bench.catalog_retrieval [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"


def _demo_database(path: Path):  # type: ignore[no-untyped-def]
    from bot.db import migrate
    from bot.db.session import Database
    from bot.shop.demo import read_demo
    from bot.shop.loader import load_shop_data

    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database(url)
    load_shop_data(db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    return db


def embedding_throughput(sample: int = 64) -> dict[str, float]:
    """Real MiniLM embeddings per second on ``sample`` demo product texts (after warm-up)."""
    from sqlalchemy import select

    from bot.catalog.embeddings import product_text
    from bot.db.models import Product

    with tempfile.TemporaryDirectory() as tmp:
        db = _demo_database(Path(tmp) / "demo.db")
        with db.session() as s:
            texts = [product_text(p) for p in s.scalars(select(Product).limit(sample))]
        db.dispose()
    from bot.catalog.embeddings import get_encoder

    encoder = get_encoder()
    encoder.encode(texts[:4])
    started = time.perf_counter()
    encoder.encode(texts)
    elapsed = time.perf_counter() - started
    return {
        "texts": len(texts),
        "seconds": round(elapsed, 2),
        "per_s": round(len(texts) / elapsed, 1),
    }


def run(sizes: list[int], out: Path = RESULTS) -> dict[str, Any]:
    from bot.catalog import benchmark as bm
    from bot.catalog import evaluate as ev
    from bot.catalog.embeddings import embed_catalog

    queries = [q.query for q in ev.load_queries()]
    results = []
    with tempfile.TemporaryDirectory(prefix="shopbot-catalog-bench-") as tmp:
        source = _demo_database(Path(tmp) / "demo.db")
        try:
            started = time.perf_counter()
            embed_catalog(source)
            demo_embed_s = time.perf_counter() - started
            for n in sizes:
                print(f"catalog of {n} products ...", flush=True)
                results.append(bm.run_size(Path(tmp), source, n, queries))
        finally:
            source.dispose()
    result = {
        "benchmark": "catalog_retrieval",
        "queries": len(queries),
        "demo_embed_s": round(demo_embed_s, 1),
        "embedding_throughput": embedding_throughput(),
        "sizes": [asdict(r) for r in results],
        "vectors": "1k..100k: perturbed copies of the demo shop's real MiniLM vectors",
        "target_hybrid_p95_ms_at_100k": 50,
    }
    save(result, out)
    return result


def render_markdown(result: dict[str, Any]) -> str:
    lines = [
        "## Catalog retrieval (generated catalogs, SQLite, one process)",
        "",
        "| products | variants | keyword p50/p95 ms | semantic p50/p95 ms | hybrid p50/p95 ms "
        "| keyword index build s | vector load s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["sizes"]:
        cells = [
            f"{r['latency_ms'][m]['p50']:.1f} / {r['latency_ms'][m]['p95']:.1f}"
            for m in ("keyword", "semantic", "hybrid")
        ]
        lines.append(
            f"| {r['products']:,} | {r['variants']:,} | " + " | ".join(cells)
            + f" | {r['keyword_index_s']:.1f} | {r['vector_load_s']:.2f} | {r['rss_mb']:.0f} |"
        )  # fmt: skip
    tp = result["embedding_throughput"]
    lines += [
        "",
        f"Real MiniLM embedding throughput: {tp['per_s']} products/s ({tp['texts']} texts in "
        f"{tp['seconds']} s); the catalogs' vectors are {result['vectors']}.",
    ]
    return "\n".join(lines) + "\n"


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["products"] for r in result["sizes"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, style in (("keyword", "o-"), ("semantic", "s-"), ("hybrid", "^-")):
        ax.plot(sizes, [r["latency_ms"][mode]["p95"] for r in result["sizes"]], style, label=mode)
    ax.axhline(50, color="grey", linestyle="--", linewidth=1, label="hybrid target (50 ms)")
    ax.set_xscale("log")
    ax.set_xlabel("products in catalog")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_title("Catalog search p95 vs catalog size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save(result: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "catalog_retrieval.json").write_text(json.dumps(result, indent=2))
    (out / "catalog_retrieval.md").write_text(render_markdown(result))
    plot(result, out / "catalog_retrieval.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    print(render_markdown(run([int(s) for s in args.sizes.split(",")])))


if __name__ == "__main__":
    main()
