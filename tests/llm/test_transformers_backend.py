"""The transformers backend on a tiny causal LM built from a config, with a tokenizer trained
in the test's temp folder: the real from_pretrained loading and generation code, no hub."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.llm.base import ChatMessage, LLMError, LLMTimeout
from bot.llm.transformers_backend import TransformersBackend

CORPUS = [
    "the ridge trail runner is waterproof and costs 119 dollars",
    "our return policy allows returns within 30 days of delivery",
    "the stormshell rain jacket comes in blue and yellow",
    "user: hello assistant: hi, how can I help you today?",
] * 20

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def _build_tiny_model(folder: Path, *, chat_template: bool) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<unk>", "<eos>", "<|user|>", "<|assistant|>"]
    )
    tok.train_from_iterator(CORPUS, trainer)
    from tokenizers import decoders

    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="<eos>")
    if chat_template:
        fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(folder)

    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=fast.vocab_size + 8,
        n_positions=2048,
        n_embd=32,
        n_layer=2,
        n_head=2,
        eos_token_id=fast.eos_token_id,
        bos_token_id=fast.eos_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return _build_tiny_model(tmp_path_factory.mktemp("tiny-lm"), chat_template=True)


@pytest.fixture(scope="module")
def tiny_model_plain(tmp_path_factory) -> Path:
    return _build_tiny_model(tmp_path_factory.mktemp("tiny-lm-plain"), chat_template=False)


MESSAGES = [
    ChatMessage("system", "Answer from the facts."),
    ChatMessage("user", "is it waterproof"),
]


async def test_generates_from_a_local_folder_with_the_chat_template(tiny_model) -> None:
    backend = TransformersBackend(tiny_model, device="cpu")
    prompt = backend.render_prompt(MESSAGES)
    assert prompt.startswith("<|system|>Answer from the facts.") and prompt.endswith(
        "<|assistant|>"
    )
    text = await backend.generate(MESSAGES, max_new_tokens=8, timeout=60)
    assert isinstance(text, str)
    again = await backend.generate(MESSAGES, max_new_tokens=8, timeout=60)
    assert text == again  # greedy decoding is deterministic
    # The model is random, but the tokens it produced decode to vocabulary of the corpus.
    assert backend._model is not None and backend._device == "cpu"


async def test_without_a_chat_template_a_plain_transcript_is_used(tiny_model_plain) -> None:
    backend = TransformersBackend(tiny_model_plain, device="cpu")
    prompt = backend.render_prompt(MESSAGES)
    assert prompt.endswith("Assistant:") and "User: is it waterproof" in prompt
    assert isinstance(await backend.generate(MESSAGES, max_new_tokens=4, timeout=60), str)


async def test_streaming_yields_the_same_text_as_generate(tiny_model) -> None:
    backend = TransformersBackend(tiny_model, device="cpu")
    full = await backend.generate(MESSAGES, max_new_tokens=10, timeout=60)
    pieces = [p async for p in backend.stream(MESSAGES, max_new_tokens=10, timeout=60)]
    assert "".join(pieces).strip() == full


async def test_generation_runs_off_the_event_loop(tiny_model) -> None:
    backend = TransformersBackend(tiny_model, device="cpu")
    await backend.generate(MESSAGES, max_new_tokens=2, timeout=60)  # load first
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await backend.generate(MESSAGES, max_new_tokens=60, timeout=60)
    task.cancel()
    assert ticks > 3, "the event loop kept running while the model generated"


async def test_timeout_stops_generation(tiny_model) -> None:
    backend = TransformersBackend(tiny_model, device="cpu")
    await backend.generate(MESSAGES, max_new_tokens=2, timeout=60)
    started = time.perf_counter()
    with pytest.raises(LLMTimeout):
        await backend.generate(MESSAGES, max_new_tokens=1900, timeout=0.15)
    assert time.perf_counter() - started < 5


async def test_missing_folder_is_an_llm_error(tmp_path) -> None:
    backend = TransformersBackend(tmp_path / "nope")
    with pytest.raises(LLMError):
        await backend.generate(MESSAGES, max_new_tokens=2, timeout=5)
