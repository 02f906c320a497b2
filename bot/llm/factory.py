"""Build the configured backend from settings (``SHOPBOT_LLM_*``)."""

from __future__ import annotations

from bot.llm.base import LLMBackend, LLMError
from bot.llm.template import TemplateBackend
from bot.settings import Settings


def make_backend(settings: Settings) -> LLMBackend:
    """``template`` (default, no weights), ``transformers`` (local folder) or ``openai``."""
    kind = settings.llm_backend
    if kind == "template":
        return TemplateBackend()
    if kind == "transformers":
        from bot.llm.transformers_backend import TransformersBackend

        if not settings.llm_model:
            raise LLMError("SHOPBOT_LLM_MODEL must point to a local model folder")
        return TransformersBackend(settings.llm_model)
    if kind == "openai":
        from bot.llm.openai_backend import OpenAIBackend

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAIBackend(settings.llm_base_url or "", settings.llm_model or "", key)
    raise LLMError(f"unknown LLM backend {kind!r}")
