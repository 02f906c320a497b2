"""Safety helpers: PII masking and shopper-input sanitising before text reaches an LLM."""

from bot.safety.pii import mask_pii
from bot.safety.sanitize import sanitize_user_text

__all__ = ["mask_pii", "sanitize_user_text"]
