"""The IVF vector index used above IVF_MIN_VECTORS agrees with exact cosine search."""

from __future__ import annotations

import numpy as np

from bot.catalog.embeddings import DIMENSIONS, Clusters, VectorIndex, _Vectors
from bot.db.models import Product


def _normalised(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_top_k_matches_exact_search_on_clustered_vectors() -> None:
    rng = np.random.default_rng(3)
    centres = _normalised(rng.normal(size=(200, DIMENSIONS)))
    labels = rng.integers(0, 200, size=30_000)
    matrix = _normalised(centres[labels] + rng.normal(scale=0.08, size=(30_000, DIMENSIONS)))

    index = VectorIndex(Product)
    ids = [f"P{i}" for i in range(len(matrix))]
    index._data = _Vectors(ids, matrix, None, {})
    queries = _normalised(centres[:20] + rng.normal(scale=0.05, size=(20, DIMENSIONS)))

    exact = [index.top_k(q, 10) for q in queries]
    clusters = Clusters(matrix)
    index._data = _Vectors(ids, matrix, clusters, {})
    assert clusters.nprobe < len(clusters.centroids)
    approx = [index.top_k(q, 10) for q in queries]

    overlap = np.mean(
        [
            len({a for a, _ in x} & {e for e, _ in y}) / 10
            for x, y in zip(approx, exact, strict=True)
        ]
    )
    assert overlap >= 0.9
    # Scores are real cosines of the returned rows, best first.
    best_id, best_score = approx[0][0]
    row = index.ids.index(best_id)
    assert abs(float(matrix[row] @ queries[0]) - best_score) < 1e-5
    assert [s for _, s in approx[0]] == sorted((s for _, s in approx[0]), reverse=True)
