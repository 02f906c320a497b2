"""Which messages a script-gated NLU component works on: those with Chinese, those without, or all.

Why: one Rasa model serves English and Chinese (docs/nlu/chinese.md). MiniLM knows English only
and is noise for Chinese; e5 serves Chinese; running both on every message cost +34% per English
message. Gating each encoder (and the CRF) by script keeps English at the English pipeline's cost
and features, and Chinese at the e5 pipeline's. A message "has Chinese" exactly when the
tokenizer hands part of it to jieba (``mixed_tokenizer.has_cjk``), so a mixed message
("我想退货 order #S1000029") is on the Chinese side. The same gate applies at training and at
parse time, so the classifier sees the same feature layout for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_addons.mixed_tokenizer import has_cjk

ANY = "any"
CJK = "cjk"  # messages holding at least one Chinese character
NON_CJK = "non_cjk"  # messages without any
SCRIPTS = (ANY, CJK, NON_CJK)
CONFIG_KEY = "script"


def validate_script(component: str, config: Mapping[str, Any]) -> str:
    """The configured script, or a ValueError naming the component and the allowed values."""
    script = config.get(CONFIG_KEY, ANY)
    if script not in SCRIPTS:
        raise ValueError(f"{component}: '{CONFIG_KEY}' must be one of {SCRIPTS}, not {script!r}")
    return str(script)


def in_script(text: str | None, script: str) -> bool:
    """True when a component gated to ``script`` works on this text."""
    if script == ANY:
        return True
    return has_cjk(text or "") == (script == CJK)
