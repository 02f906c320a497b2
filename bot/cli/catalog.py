"""``shopbot catalog``: search indexes, embeddings, ad-hoc search and retrieval evaluation."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bot.bootstrap import services
from bot.catalog.embeddings import EmbedReport
from bot.db.session import Database
from bot.settings import keep_models_offline

app = typer.Typer(
    help="Catalog retrieval: keyword index, embeddings, search, evaluation.", no_args_is_help=True
)
console = Console()
log = logging.getLogger(__name__)

keep_models_offline()


def _database(url: str | None = None) -> Database:
    """The configured database, migrated, with the search indexes in place.

    An explicitly given URL (evaluate/bench) is used as it is: it may be a copy made with
    ``create_all`` that Alembic does not know.
    """
    from bot.catalog.keyword import ensure_search_indexes
    from bot.db import migrate

    if url is None:
        migrate.upgrade(services().settings.database_url)
        db = services().database
    else:
        db = Database(url, ping_idle_s=services().settings.db_ping_idle_s)
    ensure_search_indexes(db)
    return db


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _embed(db: Database, batch_size: int, force: bool) -> EmbedReport:
    from bot.catalog.embeddings import embed_catalog

    with _progress() as progress:
        tasks: dict[str, TaskID] = {}
        started: dict[str, float] = {}

        def report(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = progress.add_task(what, total=max(total, 1), rate="")
                started[what] = time.perf_counter()
                if total == 0:
                    progress.update(tasks[what], completed=1)
                return
            elapsed = time.perf_counter() - started[what]
            rate = f"{done / elapsed:.1f}/s" if elapsed > 0 else ""
            progress.update(tasks[what], completed=done, rate=rate)

        result = embed_catalog(db, batch_size=batch_size, force=force, progress=report)
    console.print(
        f"Embedded {result.products_embedded} of {result.products_total} products "
        f"({result.products_total - result.products_embedded} unchanged) and "
        f"{result.passages_embedded} of {result.passages_total} policy passages."
    )
    if result.products_embedded:
        console.print(
            f"Throughput: [bold]{result.products_per_second:.1f} products/s[/] "
            f"({result.seconds:.1f}s, batch size {batch_size})."
        )
    return result


@app.command()
def embed(
    batch_size: int = typer.Option(64, help="Texts per model call."),
    force: bool = typer.Option(False, "--force", help="Re-embed every row, changed or not."),
) -> None:
    """Compute sentence embeddings for products and policy passages whose text changed."""
    db = _database()
    try:
        _embed(db, batch_size, force)
    finally:
        db.dispose()


@app.command()
def reindex() -> None:
    """Rebuild the keyword index (after bulk loads or a SQLite VACUUM)."""
    from bot.catalog.keyword import rebuild_keyword_index

    db = _database()
    started = time.perf_counter()
    rebuild_keyword_index(db)
    console.print(f"[green]Keyword index rebuilt[/] in {time.perf_counter() - started:.2f}s.")
    db.dispose()


@app.command()
def search(
    query: str = typer.Argument(..., help="What a shopper would type."),
    mode: str = typer.Option("hybrid", help="keyword, semantic or hybrid."),
    limit: int = typer.Option(5, help="How many products."),
    policy: bool = typer.Option(False, "--policy", help="Search policy passages instead."),
) -> None:
    """Run one search and show the hits with the signals that matched."""
    from bot.catalog.filters import parse_filters
    from bot.catalog.search import search_policy, search_products

    if mode not in ("keyword", "semantic", "hybrid"):
        console.print("[red]--mode must be keyword, semantic or hybrid.[/]")
        raise typer.Exit(2)
    db = _database()
    try:
        if policy:
            for hit in search_policy(db, query, limit=limit, mode=mode):  # type: ignore[arg-type]
                console.print(f"[bold]{hit.title}[/] ({hit.passage_id}) {', '.join(hit.why)}")
                console.print(f"  {hit.body[:200]}")
            return
        filters = parse_filters(query)
        if not filters.is_empty():
            console.print("Filters: " + ", ".join(filters.describe()))
        if mode != "keyword":
            from bot.catalog.embeddings import get_encoder

            get_encoder().encode(["warm up"])  # time the search, not the model load
        started = time.perf_counter()
        hits = search_products(db, query, limit=limit, mode=mode)  # type: ignore[arg-type]
        elapsed = (time.perf_counter() - started) * 1000
        table = Table(title=f"{len(hits)} hits in {elapsed:.1f} ms ({mode})")
        for col in ("id", "name", "price", "stock", "variants", "score", "why"):
            table.add_column(col)
        for h in hits:
            price = (
                f"${h.min_price}" if h.min_price == h.max_price else f"${h.min_price}-{h.max_price}"
            )
            table.add_row(
                h.product_id,
                h.name,
                price,
                "yes" if h.in_stock else "no",
                str(len(h.variants)),
                f"{h.score:.4f}",
                "; ".join(h.why),
            )
        console.print(table)
    finally:
        db.dispose()


@app.command()
def evaluate(
    queries: Path = typer.Option(None, help="Labelled queries (default data/eval/...yml)."),
    report: Path = typer.Option(
        None, help="Markdown report (default var/reports/retrieval.md; `make report`: docs/)."
    ),
    database_url: str = typer.Option(
        None, help="Evaluate against this database instead of a fresh demo copy."
    ),
) -> None:
    """recall@5 and MRR for keyword, semantic and hybrid retrieval on the demo shop.

    By default a fresh SQLite copy of the demo shop is built in a temporary folder (loaded
    from data/shop/demo/ and embedded), so the result never depends on what the configured
    database holds.
    """
    import tempfile

    from bot.catalog import evaluate as ev

    labelled = ev.load_queries(queries or ev.QUERIES_FILE)
    labelled_zh: list[ev.LabelledQuery] = (
        ev.load_queries(ev.QUERIES_FILE_ZH) if queries is None else []
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = _database(database_url) if database_url else _demo_database(Path(tmp) / "demo.db")
        try:
            embedded = _embed(db, 64, False)
            from bot.catalog.repository import CatalogRepository

            with db.session() as s:
                products = CatalogRepository(s).product_count()
            with _progress() as progress:
                total = (len(labelled) + len(labelled_zh)) * len(ev.VARIANTS)
                task = progress.add_task("queries", total=total, rate="")
                results = ev.evaluate(db, labelled, on_query=lambda _m: progress.advance(task))
                results_zh = (
                    ev.evaluate(db, labelled_zh, on_query=lambda _m: progress.advance(task))
                    if labelled_zh
                    else []
                )
        finally:
            db.dispose()
    table = Table(title=f"Retrieval on {len(labelled)} labelled queries ({products} products)")
    for col in ("mode", "recall@5", "MRR", "p50 ms", "p95 ms"):
        table.add_column(col, justify="right" if col != "mode" else "left")
    for r in results:
        table.add_row(
            r.name, f"{r.recall_at_k:.3f}", f"{r.mrr:.3f}", f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}"
        )
    for r in results_zh:
        table.add_row(
            f"{r.name} (zh)",
            f"{r.recall_at_k:.3f}",
            f"{r.mrr:.3f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
        )
    console.print(table)
    path = report or ev.REPORT_FILE
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    meta = {"products": products, **_kept_sections(existing)}
    if embedded.products_embedded >= 100:  # a full embedding run: a meaningful throughput
        meta["embedding"] = [
            "## Embedding throughput",
            "",
            f"{embedded.products_embedded} demo products embedded in {embedded.seconds:.1f}s:",
            f"**{embedded.products_per_second:.1f} products/s** (CPU, batch 64, sorted by length;",
            "measured during `catalog evaluate` on the shared 2-core machine).",
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    chinese = (results_zh, labelled_zh) if labelled_zh else None
    path.write_text(ev.render_report(results, labelled, meta, chinese), encoding="utf-8")
    console.print(f"Report written to {path}")


def _kept_sections(markdown: str) -> dict[str, list[str]]:
    """Benchmark sections written by `shopbot catalog bench` survive an evaluate run."""
    kept: dict[str, list[str]] = {}
    for key, heading in (("embedding", "## Embedding throughput"), ("latency", "## Latency")):
        if heading in markdown:
            block = markdown.split(heading, 1)[1]
            block = block.split("\n## ", 1)[0]
            kept[key] = [heading + block.rstrip("\n"), ""]
    return kept


def _demo_database(path: Path) -> Database:
    from bot.db import migrate
    from bot.settings import PROJECT_ROOT
    from bot.shop.demo import read_demo
    from bot.shop.loader import load_shop_data

    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database(url)
    console.print("Loading the demo shop into a temporary database ...")
    load_shop_data(db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    return db


@app.command()
def bench(
    sizes: str = typer.Option("1000,10000,100000", help="Comma-separated catalog sizes."),
    json_out: Path = typer.Option(None, "--json", help="Also write the results as JSON here."),
    throughput: float = typer.Option(
        None, help="Embedding products/s to quote next to the table (from `catalog embed`)."
    ),
    source_url: str = typer.Option(
        None, help="An embedded demo database to derive from (default: build one)."
    ),
    report: Path = typer.Option(
        None, help="Markdown report (default var/reports/retrieval.md; `make report`: docs/)."
    ),
) -> None:
    """Latency of keyword, semantic and hybrid search on generated 1k/10k/100k catalogs.

    Builds the demo shop in a temporary folder as the source, generates each size from it,
    measures, and writes the "Latency at catalog size" section of the retrieval report.
    """
    import tempfile

    from bot.catalog import benchmark as bm
    from bot.catalog import evaluate as ev

    try:
        wanted = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        console.print("[red]--sizes must be numbers separated by commas, e.g. 1000,10000.[/]")
        raise typer.Exit(2) from None
    queries = [q.query for q in ev.load_queries()]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        source = _database(source_url) if source_url else _demo_database(Path(tmp) / "demo.db")
        try:
            _embed(source, 64, False)
            with _progress() as progress:
                task = progress.add_task("sizes", total=len(wanted), rate="")
                for n in wanted:
                    results.append(
                        bm.run_size(
                            Path(tmp), source, n, queries,
                            progress=lambda msg: progress.update(task, rate=msg),
                        )
                    )  # fmt: skip
                    progress.advance(task)
        finally:
            source.dispose()
    table = Table(title="Search latency (ms, p50 / p95)")
    cols = ("products", "keyword", "semantic", "hybrid", "hybrid cached", "index s", "vectors s")
    for col in (*cols, "RSS MB"):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(
            f"{r.products:,}",
            *(f"{r.latency_ms[m]['p50']:.1f} / {r.latency_ms[m]['p95']:.1f}" for m in (
                "keyword", "semantic", "hybrid", "hybrid, query vector cached")),
            f"{r.keyword_index_s:.1f}",
            f"{r.vector_load_s:.2f}",
            f"{r.rss_mb:.0f}",
        )  # fmt: skip
    console.print(table)
    if json_out:
        bm.save_json(results, json_out)
    section = bm.render_markdown(results, throughput)
    report = report or ev.REPORT_FILE
    report.parent.mkdir(parents=True, exist_ok=True)
    text = report.read_text(encoding="utf-8") if report.exists() else "# Catalog retrieval\n"
    heading = "## Latency at catalog size"
    if heading in text:
        before, rest = text.split(heading, 1)
        after = rest.split("\n## ", 1)[1] if "\n## " in rest else ""
        text = before + section + ("\n## " + after if after else "")
    else:
        marker = "## Weak spots"
        text = text.replace(marker, section + "\n" + marker) if marker in text else text + section
    report.write_text(text, encoding="utf-8")
    console.print(f"Latency section written to {report}")
