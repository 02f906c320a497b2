"""The trained assistant's vocabulary: which intents and actions exist, and what follows an intent.

Reviewers' corrections leave the console as NLU training data and as Rasa test stories, so
they must use the model's own names: an intent the model was not trained on cannot be
learned from an export, and a story naming one fails ``rasa test``. The packed domain of the
trained model (``models/shopbot.tar.gz``) is the truth when there is one; without a model,
the domain files it is trained from (``domain/*.yml``). The action an intent leads to comes
from the training data's rules (``data/rules/*.yml``): the one-step rule ``intent -> action``.
"""

from __future__ import annotations

import logging
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

MODEL = PROJECT_ROOT / "models" / "shopbot.tar.gz"
DOMAIN_DIR = PROJECT_ROOT / "domain"
RULES_DIR = PROJECT_ROOT / "data" / "rules"
MODEL_DOMAIN_MEMBER = "components/domain_provider/domain.yml"


@dataclass(frozen=True)
class TrainedDomain:
    intents: frozenset[str]
    actions: frozenset[str]  # custom actions, responses and forms
    source: str  # where it was read from (shown in messages and logs)


_cache: dict[tuple[str, float], TrainedDomain] = {}


def _names(items: Any) -> set[str]:
    """Names of a domain list whose entries are names or one-key mappings (``- greet: {...}``)."""
    names: set[str] = set()
    for item in items or []:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict):
            names.update(str(k) for k in item)
    return names


def _from_documents(documents: list[dict[str, Any]], source: str) -> TrainedDomain:
    intents: set[str] = set()
    actions: set[str] = set()
    for doc in documents:
        intents |= _names(doc.get("intents"))
        actions |= _names(doc.get("actions"))
        actions |= set((doc.get("responses") or {}).keys())
        actions |= set((doc.get("forms") or {}).keys())
    return TrainedDomain(frozenset(intents), frozenset(actions), source)


def trained_domain(model: Path | None = None, domain_dir: Path | None = None) -> TrainedDomain:
    """The model's domain if a trained model exists, else ``domain/*.yml`` (cached by mtime)."""
    model = model or MODEL
    domain_dir = domain_dir or DOMAIN_DIR
    if model.exists():
        key = (str(model), model.stat().st_mtime)
        if key not in _cache:
            try:
                with tarfile.open(model) as archive:
                    member = archive.extractfile(MODEL_DOMAIN_MEMBER)
                    doc = yaml.safe_load(member.read()) if member else {}
                _cache[key] = _from_documents([doc or {}], f"the trained model {model.name}")
            except (OSError, KeyError, tarfile.TarError, yaml.YAMLError):
                log.warning("could not read the domain of %s; using %s", model, domain_dir)
        if key in _cache:
            return _cache[key]
    files = sorted(domain_dir.glob("*.yml"))
    key = (str(domain_dir), max((f.stat().st_mtime for f in files), default=0.0))
    if key not in _cache:
        docs = [yaml.safe_load(f.read_text(encoding="utf-8")) or {} for f in files]
        _cache[key] = _from_documents(docs, "domain/*.yml")
    return _cache[key]


def rule_actions(rules_dir: Path | None = None) -> dict[str, str]:
    """``intent -> action`` of the unconditional one-step rules (what the bot does next)."""
    found: dict[str, str] = {}
    for path in sorted((rules_dir or RULES_DIR).glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in doc.get("rules") or []:
            steps = rule.get("steps") or []
            if rule.get("condition") or rule.get("conversation_start") or len(steps) < 2:
                continue
            first, second = steps[:2]
            if "intent" in first and "action" in second and set(first) == {"intent"}:
                found.setdefault(str(first["intent"]), str(second["action"]))
    return found
