"""No shopper text, e-mail address or phone number in the Rasa server's log.

Security review, finding 12: Rasa echoes what shoppers typed. Its ``/intent{...}`` parser
(``YAMLStoryReader.unpack_regex_message``) warns "Failed to parse arguments in line '<the whole
message>'" for an unknown entity or bad JSON, through ``warnings.warn`` (printed to stderr,
which is the server's log), and its structlog events carry ``text``/``user_text``/... fields
that Rasa Pro would anonymise but open-source Rasa prints as they are. A Rasa log is kept and
shared far longer than a conversation, so it must not become a second, unprotected copy of
shoppers' data.

``install()`` (run when Rasa imports ``rasa_addons``) therefore

- rewrites each log record as it is created (a ``LogRecordFactory``, so it covers every
  logger and every handler, whenever they were configured): the fields of Rasa's structlog
  JSON lines that Rasa itself lists as anonymisable are withheld, and e-mail addresses and
  phone numbers anywhere in a message are masked;
- puts the same masking in front of ``warnings.showwarning``, and replaces Rasa's
  "Failed to parse arguments in line '...'" warnings by one fixed sentence.

Kept free of ``bot`` imports: this module runs inside the Rasa process (.venv-rasa).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from typing import Any, TextIO

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 8+ digits with the usual separators; not a date, a time, a decimal or part of an id
PHONE = re.compile(r"(?<![\w#/.:-])(?!\d{4}-\d\d-\d\d)\+?\d[\d ()-]{5,20}\d(?![\w/.:])")
MIN_PHONE_DIGITS = 8
PAYLOAD_WARNING = re.compile(r"Failed to parse arguments in line '.*", re.S)
PAYLOAD_WARNING_TEXT = (
    "Failed to parse the arguments of a '/intent{...}' message; continuing without the parts "
    "that could not be used (message text withheld: shopper data)."
)
WITHHELD = "<withheld>"
# the keys rasa.utils.log_utils._anonymizer lists (open-source Rasa has no pipeline for them)
TEXT_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
    }
)

_installed = False


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    return "<phone>" if sum(c.isdigit() for c in found) >= MIN_PHONE_DIGITS else found


def mask(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and Rasa's payload echo masked."""
    text = PAYLOAD_WARNING.sub(PAYLOAD_WARNING_TEXT, text)
    return PHONE.sub(_phone, EMAIL.sub("<email>", text))


def mask_message(message: str) -> str:
    """``mask`` plus, for a structlog JSON line, the shopper-text fields withheld."""
    if message.startswith("{") and message.endswith("}"):
        try:
            fields = json.loads(message)
        except ValueError:
            fields = None
        if isinstance(fields, dict) and TEXT_KEYS.intersection(fields):
            message = json.dumps(
                {k: WITHHELD if k in TEXT_KEYS else v for k, v in fields.items()},
                ensure_ascii=False,
            )
    return mask(message)


def _masking_factory(original: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # (a bad format string: the handler reports it as before)
            return record
        masked = mask_message(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    factory.shopbot_log_privacy = True  # type: ignore[attr-defined]
    return factory


def _masking_showwarning(original: Any) -> Any:
    def showwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = str(message)
        masked = mask(text)
        if masked != text:
            message = category(masked) if isinstance(message, Warning) else masked
        original(message, category, filename, lineno, file, line)

    showwarning.shopbot_log_privacy = True  # type: ignore[attr-defined]
    return showwarning


def install() -> None:
    """Mask shopper data in every log record and warning of this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "shopbot_log_privacy", False):
        logging.setLogRecordFactory(_masking_factory(factory))
    if not getattr(warnings.showwarning, "shopbot_log_privacy", False):
        warnings.showwarning = _masking_showwarning(warnings.showwarning)
