"""Run the script-gated featurizers and CRFs on a few messages, in the Rasa environment.

``python tests/nlu/check_script_gate.py`` prints, as its last line, a JSON object: per message,
the width and norm of each gated encoder's vector and whether the encoder ran (its cache holds
the text); per message, the entities of an English-only and a Chinese-only CRF trained here on a
handful of examples, and the extractor name they report.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from pathlib import Path

TEXTS = ["where is my order", "我想退货 order #S1000029", "hi", "谢谢"]
TRAIN = [
    ("this is [Hannah Park](person_name)", "inform"),
    ("I am [Sofia Garcia](person_name)", "inform"),
    ("my name is [Liam Chen](person_name)", "inform"),
    ("name [Ava Martinez](person_name)", "inform"),
    ("我叫[王小明](person_name)", "inform"),
    ("我是[李娜](person_name)", "inform"),
    ("名字是[陈静](person_name)", "inform"),
    ("我叫[张伟](person_name)", "inform"),
]
PARSE = ["this is Maria Lopez", "I am Noah Kim", "我叫王小明", "我是李娜"]


def _featurizers() -> dict[str, object]:
    from rasa.shared.nlu.training_data.message import Message

    from rasa_addons.e5_featurizer import E5Featurizer
    from rasa_addons.minilm_featurizer import MiniLMFeaturizer

    out: dict[str, object] = {}
    gated = {
        "minilm": MiniLMFeaturizer(
            {**MiniLMFeaturizer.get_default_config(), "script": "non_cjk"}, "m"
        ),
        "e5": E5Featurizer({**E5Featurizer.get_default_config(), "script": "cjk"}, "e"),
    }
    for text in TEXTS:
        row = {}
        for name, featurizer in gated.items():
            message = Message(data={"text": text})
            featurizer.process([message])
            (feature,) = message.features
            row[name] = {
                "width": int(feature.features.shape[-1]),
                "norm": float(abs(feature.features).sum()),
                "encoded": text in featurizer._cache,  # type: ignore[attr-defined]
            }
        out[text] = row
    return out


def _crfs() -> dict[str, object]:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import (
        LexicalSyntacticFeaturizer,
    )
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from rasa.shared.nlu.training_data.message import Message

    from rasa_addons.mixed_tokenizer import MixedTokenizer
    from rasa_addons.script_crf import ScriptCRFEntityExtractor

    examples = "\n".join(f"- intent: {i}\n  examples: |\n    - {t}" for t, i in TRAIN)
    data = RasaYAMLReader().reads(f'version: "3.1"\nnlu:\n{examples}\n')
    tokenizer = MixedTokenizer(MixedTokenizer.get_default_config())
    tokenizer.process_training_data(data)
    context = ExecutionContext(GraphSchema({}), "check")
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    lexical = LexicalSyntacticFeaturizer.create(
        LexicalSyntacticFeaturizer.get_default_config(), storage, Resource("lex"), context
    )
    lexical.train(data)
    lexical.process_training_data(data)
    crfs = {}
    for script in ("non_cjk", "cjk"):
        config = {**ScriptCRFEntityExtractor.get_default_config(), "script": script}
        crf = ScriptCRFEntityExtractor.create(config, storage, Resource(script), context)
        crf.train(data)
        crfs[script] = crf
    out: dict[str, object] = {"name": crfs["cjk"].name}
    for text in PARSE:
        row = {}
        for script, crf in crfs.items():
            message = Message(data={"text": text})
            tokenizer.process([message])
            lexical.process([message])
            crf.process([message])
            row[script] = [e["value"] for e in message.get("entities", [])]
        out[text] = row
    return out


def main() -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        logging.disable(logging.WARNING)
        result = {"featurizers": _featurizers(), "crf": _crfs()}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
