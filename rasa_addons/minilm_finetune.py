"""SetFit-style contrastive fine-tuning of MiniLM's top layers on our intents (issue 17).

Why: the frozen all-MiniLM-L6-v2 vector places sentences by general meaning; "I expect a rebate
of 160 dollars" and "where is my refund" are not especially close in it. SetFit (Tunstall et
al., 2022) fine-tunes the sentence encoder on pairs of training examples, same intent → cosine
1, different intents → cosine 0, and then fits the usual classifier on the new vectors; with a
few dozen examples per intent it matches much larger models.

The practical shape for a 2-core machine: only the top ``layers`` encoder layers are trained.
The frozen lower layers' token states are computed once by the NumPy forward pass
(``MiniLMEncoder.hidden_states``) and fed to a TensorFlow copy of the top layers (TensorFlow is
in the Rasa environment), so a step costs a layer or two over a batch of short messages. The
result is the trained layers' weights under their safetensors names, in the NumPy encoder's
layout: ``MiniLMEncoder.with_overrides`` serves them at parse time with the unchanged NumPy
forward pass.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rasa_addons.minilm import _HEADS, _LAYER_NORM_EPS, DIMENSIONS, LAYERS, layer_weight_names

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FineTuneSettings:
    """How much to train (the defaults were chosen on the dev set and CV, docs/nlu/README.md)."""

    layers: int = 1  # top encoder layers trained; the others stay frozen
    steps: int = 150
    intents_per_step: int = 8  # a batch: this many intents ...
    examples_per_intent: int = 4  # ... with this many examples each
    learning_rate: float = 1e-4
    seed: int = 17


def make_batch(
    labels: Sequence[str], intents: int, per_intent: int, rng: np.random.Generator
) -> np.ndarray:
    """Example indices of one batch: ``intents`` random intents with ``per_intent`` random
    examples each (fewer when an intent has fewer), so every batch holds same-intent pairs."""
    by_label: dict[str, np.ndarray] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, np.empty(0, dtype=int))
        by_label[label] = np.append(by_label[label], index)
    usable = [label for label, members in by_label.items() if len(members) >= 2]
    if len(usable) < 2:
        raise ValueError("contrastive fine-tuning needs two intents with two examples each")
    chosen = rng.choice(len(usable), size=min(intents, len(usable)), replace=False)
    batch = [
        rng.choice(
            by_label[usable[c]], size=min(per_intent, len(by_label[usable[c]])), replace=False
        )
        for c in chosen
    ]
    return np.concatenate(batch)


def _pad(states: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    length = max(s.shape[0] for s in states)
    batch = np.zeros((len(states), length, DIMENSIONS), dtype=np.float32)
    mask = np.zeros((len(states), length), dtype=np.float32)
    for row, s in enumerate(states):
        batch[row, : s.shape[0]] = s
        mask[row, : s.shape[0]] = 1.0
    return batch, mask


def _encoder(variables: Mapping[str, Any], first_layer: int) -> Callable[[Any, Any], Any]:
    """The TensorFlow copy of layers ``first_layer``.. of the NumPy pass (``minilm._layer``) with
    a padding mask, mean pooling and unit length, over ``variables`` by weight name."""
    import tensorflow as tf

    head = DIMENSIONS // _HEADS
    scale = 1.0 / float(np.sqrt(head))

    def layer_norm(x: tf.Tensor, prefix: str) -> tf.Tensor:
        mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
        normed = (x - mean) / tf.sqrt(var + _LAYER_NORM_EPS)
        return normed * variables[prefix + ".weight"] + variables[prefix + ".bias"]

    def encode(x: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
        batch, length = tf.shape(x)[0], tf.shape(x)[1]
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(first_layer, LAYERS):
            p = f"encoder.layer.{layer}."

            def dense(h: tf.Tensor, name: str, prefix: str = p) -> tf.Tensor:
                return (
                    tf.tensordot(h, variables[f"{prefix}{name}.weight"], 1)
                    + variables[f"{prefix}{name}.bias"]
                )

            def heads(h: tf.Tensor) -> tf.Tensor:
                return tf.transpose(tf.reshape(h, (batch, length, _HEADS, head)), (0, 2, 1, 3))

            q = heads(dense(x, "attention.self.query"))
            k = heads(dense(x, "attention.self.key"))
            v = heads(dense(x, "attention.self.value"))
            probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) * scale + blocked, axis=-1)
            context = tf.reshape(
                tf.transpose(tf.matmul(probs, v), (0, 2, 1, 3)), (batch, length, DIMENSIONS)
            )
            x = layer_norm(
                dense(context, "attention.output.dense") + x, p + "attention.output.LayerNorm"
            )
            hidden = tf.nn.gelu(dense(x, "intermediate.dense"), approximate=False)
            x = layer_norm(dense(hidden, "output.dense") + x, p + "output.LayerNorm")
        pooled = tf.reduce_sum(x * mask[:, :, None], 1) / tf.reduce_sum(mask, 1, keepdims=True)
        return tf.math.l2_normalize(pooled, axis=-1)

    return encode


def encode_top_layers(
    states: Sequence[np.ndarray],
    weights: Mapping[str, np.ndarray],
    first_layer: int,
    batch_size: int = 64,
) -> np.ndarray:
    """Sentence vectors from the states entering ``first_layer``, in padded batches (many
    texts at once: much faster than the NumPy pass text by text; equal to it within float
    rounding)."""
    import tensorflow as tf

    names = [n for layer in range(first_layer, LAYERS) for n in layer_weight_names(layer)]
    constants = {n: tf.constant(np.asarray(weights[n], dtype=np.float32)) for n in names}
    encode = tf.function(
        _encoder(constants, first_layer),
        input_signature=[
            tf.TensorSpec((None, None, DIMENSIONS), tf.float32),
            tf.TensorSpec((None, None), tf.float32),
        ],
    )
    order = np.argsort([s.shape[0] for s in states])  # similar lengths pad little
    out = np.zeros((len(states), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(states), batch_size):
        chosen = order[start : start + batch_size]
        batch, mask = _pad([states[i] for i in chosen])
        out[chosen] = encode(batch, mask).numpy()
    return out


def finetune_top_layers(
    states: Sequence[np.ndarray],
    labels: Sequence[str],
    weights: Mapping[str, np.ndarray],
    settings: FineTuneSettings = FineTuneSettings(),
) -> dict[str, np.ndarray]:
    """Train the top ``settings.layers`` layers on pairs of ``states`` (the token states
    entering the first trained layer, one array per example) with SetFit's cosine loss;
    returns the trained layers' weights by name (NumPy layout, float32)."""
    import tensorflow as tf

    first_layer = LAYERS - settings.layers
    names = [n for layer in range(first_layer, LAYERS) for n in layer_weight_names(layer)]
    variables = {n: tf.Variable(np.asarray(weights[n], dtype=np.float32)) for n in names}
    encode = _encoder(variables, first_layer)

    optimizer = tf.keras.optimizers.Adam(learning_rate=settings.learning_rate)
    trainable = list(variables.values())
    spec = [
        tf.TensorSpec((None, None, DIMENSIONS), tf.float32),
        tf.TensorSpec((None, None), tf.float32),
        tf.TensorSpec((None,), tf.int32),
    ]

    @tf.function(input_signature=spec)
    def step(x: tf.Tensor, mask: tf.Tensor, label: tf.Tensor) -> tf.Tensor:
        # SetFit's cosine loss, (cos - 1)^2 for same-intent and cos^2 for different-intent
        # pairs, over every pair of the batch, the two kinds weighted equally as SetFit's
        # balanced pair sampling does.
        size = tf.shape(label)[0]
        upper = tf.linalg.band_part(tf.ones((size, size)), 0, -1) - tf.eye(size)
        same = tf.cast(tf.equal(label[:, None], label[None, :]), tf.float32) * upper
        different = upper - same
        with tf.GradientTape() as tape:
            vectors = encode(x, mask)
            cosine = tf.matmul(vectors, vectors, transpose_b=True)
            loss = 0.5 * tf.reduce_sum(same * tf.square(cosine - 1.0)) / tf.reduce_sum(
                same
            ) + 0.5 * tf.reduce_sum(different * tf.square(cosine)) / tf.reduce_sum(different)
        grads = tape.gradient(loss, trainable)
        optimizer.apply_gradients(zip(grads, trainable))  # noqa: B905 - autograph has no strict
        return loss

    label_ids = {label: index for index, label in enumerate(dict.fromkeys(labels))}
    label_array = np.array([label_ids[label] for label in labels], dtype=np.int32)
    rng = np.random.default_rng(settings.seed)
    tf.random.set_seed(settings.seed)
    started = time.perf_counter()
    losses: list[float] = []
    for index in range(settings.steps):
        chosen = make_batch(labels, settings.intents_per_step, settings.examples_per_intent, rng)
        batch, mask = _pad([states[i] for i in chosen])
        losses.append(float(step(batch, mask, label_array[chosen])))
        if (index + 1) % 50 == 0:
            logger.info(
                "MiniLM fine-tuning: step %d/%d, loss %.4f",
                index + 1,
                settings.steps,
                float(np.mean(losses[-50:])),
            )
    logger.info(
        "MiniLM fine-tuning: %d steps of %d examples, top %d layer(s), %.1fs",
        settings.steps,
        settings.intents_per_step * settings.examples_per_intent,
        settings.layers,
        time.perf_counter() - started,
    )
    return {name: variable.numpy().astype(np.float32) for name, variable in variables.items()}
