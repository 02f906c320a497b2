"""A local causal LM from a folder (``SHOPBOT_LLM_MODEL=/path``), CPU or CUDA.

Generation runs in a worker thread so the action server's event loop keeps serving other
shoppers. A timeout or a cancelled task sets a stop flag that a stopping criterion checks
after every token, so the thread really stops instead of burning CPU in the background.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from bot.llm.base import ChatMessage, LLMError, LLMTimeout

log = logging.getLogger(__name__)


class TransformersBackend:
    name = "transformers"

    def __init__(self, model_path: str | Path, *, device: str = "auto") -> None:
        self.model_path = Path(model_path)
        self.device_request = device
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: str = "cpu"
        self._load_lock = threading.Lock()

    # -- loading ---------------------------------------------------------------------------
    def _ensure_loaded(self) -> None:
        with self._load_lock:
            if self._model is not None:
                return
            if not self.model_path.is_dir():
                raise LLMError(f"model folder not found: {self.model_path}")
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = self.device_request
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            try:
                tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
                model = AutoModelForCausalLM.from_pretrained(self.model_path, local_files_only=True)
            except Exception as exc:  # corrupt or incompatible folder
                raise LLMError(f"cannot load model from {self.model_path}: {exc}") from exc
            model.to(device)  # type: ignore[arg-type]
            model.eval()
            if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
                tokenizer.pad_token = tokenizer.eos_token
            self._tokenizer, self._model, self._device = tokenizer, model, device
            log.info("loaded local LLM from %s on %s", self.model_path, device)

    def render_prompt(self, messages: Sequence[ChatMessage]) -> str:
        """The model's chat template when its tokenizer has one, else a plain transcript."""
        self._ensure_loaded()
        chat = [m.as_dict() for m in messages]
        if getattr(self._tokenizer, "chat_template", None):
            return self._tokenizer.apply_chat_template(
                chat, tokenize=False, add_generation_prompt=True
            )
        lines = [f"{m['role'].capitalize()}: {m['content']}" for m in chat]
        return "\n\n".join(lines) + "\n\nAssistant:"

    # -- generation ------------------------------------------------------------------------
    def _generate_blocking(
        self,
        messages: Sequence[ChatMessage],
        max_new_tokens: int,
        stop: threading.Event,
        streamer: Any = None,
    ) -> str:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        self._ensure_loaded()

        class _StopFlag(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return stop.is_set()

        prompt = self.render_prompt(messages)
        inputs = self._tokenizer(prompt, return_tensors="pt").to(self._device)
        with torch.no_grad():
            output = self._model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=self._tokenizer.pad_token_id,
                stopping_criteria=StoppingCriteriaList([_StopFlag()]),
                streamer=streamer,
            )
        new_tokens = output[0][inputs["input_ids"].shape[1] :]
        return self._tokenizer.decode(new_tokens, skip_special_tokens=True).strip()

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 30.0
    ) -> str:
        stop = threading.Event()
        task = asyncio.ensure_future(
            asyncio.to_thread(self._generate_blocking, messages, max_new_tokens, stop)
        )
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError as exc:
            stop.set()
            raise LLMTimeout(f"local generation exceeded {timeout:.1f}s") from exc
        except asyncio.CancelledError:
            stop.set()
            raise
        except LLMError:
            raise
        except Exception as exc:
            raise LLMError(f"local generation failed: {exc}") from exc

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 30.0
    ) -> AsyncIterator[str]:
        from transformers import TextIteratorStreamer

        await asyncio.to_thread(self._ensure_loaded)
        stop = threading.Event()
        streamer = TextIteratorStreamer(
            self._tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=timeout
        )
        errors: list[BaseException] = []

        def run() -> None:
            try:
                self._generate_blocking(messages, max_new_tokens, stop, streamer)
            except BaseException as exc:  # surfaced to the consumer below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, name="shopbot-llm-stream", daemon=True)
        worker.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        sentinel = object()
        try:
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise LLMTimeout(f"local streaming exceeded {timeout:.1f}s")
                try:
                    piece = await asyncio.wait_for(
                        asyncio.to_thread(next, streamer, sentinel), remaining
                    )
                except TimeoutError as exc:
                    raise LLMTimeout(f"local streaming exceeded {timeout:.1f}s") from exc
                if piece is sentinel:
                    break
                if piece:
                    yield str(piece)
            if errors:
                raise LLMError(f"local generation failed: {errors[0]}")
        finally:
            stop.set()

    async def aclose(self) -> None:
        self._model = None
        self._tokenizer = None
