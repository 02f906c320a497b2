"""Checks on the Chinese NLU training data (data/nlu_zh, issue 20): every intent of the domain
taught with enough Chinese examples, annotations valid, and kept out of the English model."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from bot.nlu.data import NluData, load_nlu, normalise_text
from bot.texts.detect import LANGUAGE_ENTITY
from tests.nlu.conftest import ISSUE_INTENTS, NLU_DIR, PROJECT_ROOT

ZH_DIR = PROJECT_ROOT / "data" / "nlu_zh"
MIN_EXAMPLES = 30
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh() -> NluData:
    return load_nlu(ZH_DIR)


def _declared(nlu_domain: dict) -> set[str]:
    return {e if isinstance(e, str) else next(iter(e)) for e in nlu_domain["entities"]}


def test_every_domain_intent_has_enough_chinese_examples(zh: NluData, nlu_domain: dict) -> None:
    assert set(zh.intents) == set(nlu_domain["intents"])
    short = {n: len(zh.intents.get(n, [])) for n in nlu_domain["intents"]}
    assert not {n: c for n, c in short.items() if c < MIN_EXAMPLES}, short
    # Chinese examples, not English ones: a few bare "ok" / "bye" are what shoppers type too.
    chinese = {n: sum(bool(CJK.search(e.text)) for e in zh.intents[n]) for n in zh.intents}
    assert not {n: c for n, c in chinese.items() if c < 0.75 * len(zh.intents[n])}, chinese


def test_files_split_by_concern_like_the_english_data(zh: NluData) -> None:
    for concern, names in ISSUE_INTENTS.items():
        for name in names:
            assert zh.sources[name] == ZH_DIR / f"{concern}.yml", name


def test_no_example_is_duplicated(zh: NluData) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for intent, examples in zh.intents.items():
        for example in examples:
            seen[normalise_text(example.text)].append(intent)
    assert not {text: where for text, where in seen.items() if len(where) > 1}


def test_no_example_contradicts_the_english_data(zh: NluData, nlu: NluData) -> None:
    english = {normalise_text(e.text): i for i, exs in nlu.intents.items() for e in exs}
    clashes = {
        example.text: (intent, english[key])
        for intent, examples in zh.intents.items()
        for example in examples
        if (key := normalise_text(example.text)) in english and english[key] != intent
    }
    assert not clashes, clashes


def test_annotations_name_declared_entities_and_teach_every_one(
    zh: NluData, nlu_domain: dict
) -> None:
    declared = _declared(nlu_domain)
    used = {e.entity for exs in zh.intents.values() for ex in exs for e in ex.entities}
    assert used <= declared, used - declared
    taught = declared - {LANGUAGE_ENTITY}  # set by a pipeline step, never annotated
    assert taught <= used, taught - used


def test_annotations_are_well_formed(zh: NluData) -> None:
    bad = []
    for intent, examples in zh.intents.items():
        for ex in examples:
            if "[" in ex.text or "](" in ex.text or "]{" in ex.text:
                bad.append((intent, ex.raw, "unparsed annotation"))
            for entity in ex.entities:
                if not entity.text.strip() or entity.text != entity.text.strip():
                    bad.append((intent, ex.raw, f"blank or padded {entity.entity}"))
    assert not bad, bad


def _regex(nlu: NluData, entity: str) -> re.Pattern[str]:
    (pattern,) = nlu.regexes[entity]
    return re.compile(pattern)


def test_ids_zips_and_emails_look_like_their_kind(zh: NluData, nlu: NluData) -> None:
    """The English regexes (data/nlu/entities.yml) are the one definition of these forms."""
    kinds = {name: _regex(nlu, name) for name in ("order_id", "zip", "email")}
    wrong = [
        (entity.entity, entity.text)
        for exs in zh.intents.values()
        for ex in exs
        for entity in ex.entities
        if entity.entity in kinds and not kinds[entity.entity].fullmatch(entity.text)
    ]
    assert not wrong, wrong


def test_entity_forms_cover_chinese_shoppers(zh: NluData) -> None:
    """Names with and without a space and in pinyin; ids inside Chinese text, with and
    without '#', and in lower case; the forms issue 20 asks for."""
    spans = defaultdict(list)
    texts = defaultdict(list)
    for exs in zh.intents.values():
        for ex in exs:
            for entity in ex.entities:
                spans[entity.entity].append(entity.text)
                texts[entity.entity].append(ex.text)
    names = spans["person_name"]
    assert any(CJK.search(n) and " " not in n for n in names)
    assert any(CJK.search(n) and " " in n for n in names)
    assert any(re.fullmatch(r"[A-Za-z]+(?: [A-Za-z]+)?", n) for n in names)  # pinyin
    ids = spans["order_id"]
    assert any(i.startswith("#") for i in ids) and any(i[0].islower() for i in ids)
    assert any(
        re.search(rf"[\u4e00-\u9fff]{re.escape(i)}", t)
        for i, t in zip(ids, texts["order_id"], strict=True)
    )


def test_the_model_trains_on_both_languages_from_named_folders() -> None:
    """One bilingual model (config.yml, docs/nlu/chinese.md) learns from data/nlu and data/nlu_zh;
    the Makefile names its folders, as Rasa's default (all of data/) would read the shop's data."""
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    data = re.search(r"^RASA_DATA := (.+)$", makefile, re.M)
    assert data and {"data/nlu", "data/nlu_zh"} <= set(data.group(1).split())
    rasa_lines = [ln for ln in makefile.splitlines() if re.search(r"\$\(RASA\) (train|data)", ln)]
    assert rasa_lines and all("--data $(RASA_DATA)" in ln for ln in rasa_lines), rasa_lines
    dockerfile = (PROJECT_ROOT / "deploy" / "docker" / "rasa.Dockerfile").read_text()
    assert "COPY data/nlu " in dockerfile and "COPY data/nlu_zh " in dockerfile
    assert NLU_DIR != ZH_DIR and not list(NLU_DIR.rglob("*zh*"))
    config = (PROJECT_ROOT / "config.yml").read_text(encoding="utf-8")
    assert "MixedTokenizer" in config  # the pipeline reads Chinese


def test_readme_says_what_feeds_on_it() -> None:
    readme = (ZH_DIR / "README.md").read_text(encoding="utf-8")
    assert "issue 20" in readme and "config.yml" in readme
