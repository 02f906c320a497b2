"""Read the project's Rasa NLU YAML without Rasa, for checks on the data itself.

Rasa lives in another virtualenv; the data checks (tests, reports) only need the intents,
their examples with entity annotations stripped, synonyms, regexes and lookups.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# [text](entity), [text](entity:value) or [text]{"entity": ..., "value": ...}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True)
class Entity:
    text: str
    entity: str
    value: str | None = None


@dataclass(frozen=True)
class Example:
    raw: str  # as written, with annotations
    text: str  # what the shopper types
    entities: tuple[Entity, ...]


@dataclass
class NluData:
    intents: dict[str, list[Example]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)  # value -> texts
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)  # intent -> file


def parse_example(raw: str) -> Example:
    """Strip the entity annotations of one example and collect them."""
    entities: list[Entity] = []

    def replace(match: re.Match[str]) -> str:
        text = match["text"]
        if match["json"]:
            spec = json.loads(match["json"])
            entities.append(Entity(text, spec["entity"], spec.get("value")))
        else:
            name, _, value = match["short"].partition(":")
            entities.append(Entity(text, name.strip(), value.strip() or None))
        return text

    return Example(raw=raw, text=_ANNOTATION.sub(replace, raw), entities=tuple(entities))


def _items(block: str) -> list[str]:
    lines = [line.strip() for line in block.splitlines()]
    return [line[2:].strip() for line in lines if line.startswith("- ")]


def load_nlu(directory: Path) -> NluData:
    """Every ``*.yml`` under ``directory`` (recursively), merged."""
    data = NluData()
    for path in sorted(directory.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or []:
            examples = _items(item.get("examples", ""))
            if "intent" in item:
                name = item["intent"]
                data.intents.setdefault(name, []).extend(parse_example(e) for e in examples)
                data.sources[name] = path
            elif "synonym" in item:
                data.synonyms.setdefault(str(item["synonym"]), []).extend(examples)
            elif "regex" in item:
                data.regexes.setdefault(item["regex"], []).extend(examples)
            elif "lookup" in item:
                data.lookups.setdefault(item["lookup"], []).extend(examples)
    return data


def normalise_text(text: str) -> str:
    """How two examples are compared for duplicates: case and spacing do not count."""
    return " ".join(text.lower().split())
