"""The NumPy MiniLM of the Rasa side gives the same tokens and vectors as the PyTorch one.

The Rasa featurizer (rasa_addons/minilm_featurizer.py) cannot use PyTorch, so it runs its own
tokenizer and forward pass; any drift from the reference would silently change what the intent
classifier sees between training data and shoppers' messages.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.catalog.embeddings import Encoder
from bot.nlu.data import NluData
from rasa_addons.minilm import (
    MAX_TOKENS,
    MiniLMEncoder,
    WordPieceTokenizer,
    default_model_path,
    layer_weight_names,
)

ODD_TEXTS = [
    "",
    "   ",
    "a",
    "Ünïcödé café naïve résumé",
    "東京で買った靴 and 北京",
    "emoji 😀👍🏽 and ZWJ 👩‍👩‍👧",
    "\x00\x07 control\tchars\r\nhere\x1b[31m",
    "<script>alert('x')</script> ' OR 1=1; --",
    "mixed Кириллица, ελληνικά, العربية",
    "order #W1234567 for jane.doe+shop@example.com, zip 94107-1234",
    "x" * 150,
    "word " * 300,
]


@pytest.fixture(scope="module")
def tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(default_model_path() / "vocab.txt")


def _texts(nlu: NluData) -> list[str]:
    return [e.text for examples in nlu.intents.values() for e in examples]


def test_tokenizer_matches_the_reference_on_all_training_examples_and_odd_input(
    tokenizer: WordPieceTokenizer, nlu: NluData
) -> None:
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)
    texts = _texts(nlu) + ODD_TEXTS
    mismatches = [
        text
        for text in texts
        if tokenizer.encode(text)
        != reference(text, truncation=True, max_length=MAX_TOKENS)["input_ids"]
    ]
    assert len(texts) > 1800
    assert mismatches == []


def test_long_input_is_truncated(tokenizer: WordPieceTokenizer) -> None:
    ids = tokenizer.encode("word " * 1000)
    assert len(ids) == MAX_TOKENS
    assert ids[0] == tokenizer.cls and ids[-1] == tokenizer.sep


def test_vectors_match_the_pytorch_encoder(nlu: NluData) -> None:
    # (the reference truncates at 256 tokens, we at 128: the 300-word text is left out)
    texts = _texts(nlu)[::15] + ODD_TEXTS[:-1]
    ours = MiniLMEncoder().encode(texts)
    reference = Encoder().encode(texts)
    assert ours.shape == reference.shape == (len(texts), 384)
    cosine = (ours * reference).sum(axis=1)
    assert cosine.min() > 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_messages() -> None:
    where, parcel, refund = MiniLMEncoder().encode(
        ["where is my package?", "my parcel has not arrived yet", "how do I reset my password"]
    )
    assert float(where @ parcel) > float(where @ refund) + 0.2


def test_split_forward_pass_and_overrides_give_the_same_vectors() -> None:
    """Fine-tuning runs the frozen layers once and the rest later (rasa_addons.minilm_finetune):
    the split pass must be the whole pass, and the pretrained weights given as overrides must
    change nothing (so only the fine-tuned values do)."""
    encoder = MiniLMEncoder()
    texts = ["where is my package?", "I expect a rebate of 160 dollars", ""]
    whole = encoder.encode(texts)
    for first in (0, 4, 5):
        split = np.vstack([encoder.finish(encoder.hidden_states(t, first), first) for t in texts])
        assert np.allclose(split, whole, atol=1e-5)
    top = {n: encoder.weights()[n] for n in layer_weight_names(5)}
    assert len(top) == 16
    assert np.allclose(encoder.with_overrides(top).encode(texts), whole, atol=1e-6)
    bias = "encoder.layer.5.output.LayerNorm.bias"
    changed = {**top, bias: top[bias] + np.linspace(-1.0, 1.0, 384, dtype=np.float32)}
    assert not np.allclose(encoder.with_overrides(changed).encode(texts), whole, atol=1e-3)
    with pytest.raises(ValueError):
        encoder.with_overrides({"no.such.weight": top["encoder.layer.5.output.dense.bias"]})
