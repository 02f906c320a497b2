"""Quick replica for issue 17's fine-tuned encoder: frozen vs SetFit-fine-tuned MiniLM (run in
``.venv-rasa``, which has TensorFlow).

The English side of the production pipeline, as ``nlu_bilingual_replica.py`` replicates it
(word 1-2 + char_wb 2-5 counts over WhitespaceTokenizer tokens, the MiniLM vector x10,
scikit-learn's LR C=1), plus the real ``OutOfScopeDetector`` on the same features and the
FallbackClassifier's threshold. Per candidate: the dev set (eval/nlu_dev, for choosing: macro F1,
fallback, out-of-scope recall, in-scope taken for out-of-scope) with the encoder fine-tuned on
all of data/nlu, and k-fold CV on data/nlu with the encoder fine-tuned on each training fold
only (a fold's test messages are never seen by the fine-tuning). Token states of the frozen
lower layers are cached in ``var/nlu-replica/``.

    PYTHONPATH=. .venv-rasa/bin/python scripts/nlu_finetune_replica.py [--only frozen ft1]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import string
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from nlu_bilingual_replica import load  # the same training-data reader (scripts/ is on the path)
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from rasa_addons.minilm import LAYERS, shared_encoder
from rasa_addons.minilm_finetune import (
    FineTuneSettings,
    encode_top_layers,
    finetune_top_layers,
)

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "nlu-replica"
FOLDS = 3
SEED = 20
THRESHOLD = 0.4  # the FallbackClassifier's
FIRST_CACHED = LAYERS - 2  # token states entering layer 4: fine-tuning up to 2 layers
OOS = "out_of_scope"
FALLBACK = "nlu_fallback"

CANDIDATES: dict[str, FineTuneSettings | None] = {
    "frozen": None,
    "ft1": FineTuneSettings(layers=1),
    "ft1_300": FineTuneSettings(layers=1, steps=300),
    "ft1_lr3e-4": FineTuneSettings(layers=1, learning_rate=3e-4),
    "ft1_lr3e-5": FineTuneSettings(layers=1, learning_rate=3e-5),
    "ft2": FineTuneSettings(layers=2),
}


def tokens(texts: list[str]) -> list[str]:
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    tok = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    return [
        " ".join(t.text.lower() for t in tok.tokenize(Message(data={"text": x}), "text"))
        for x in texts
    ]


class States:
    """Token states entering layer ``FIRST_CACHED`` per text, cached on disk."""

    def __init__(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        self.path = CACHE / f"minilm_states_l{FIRST_CACHED}.npz"
        self.states: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as arrays:
                texts = json.loads(str(arrays["texts"]))
                flat, offsets = arrays["flat"], arrays["offsets"]
            for i, t in enumerate(texts):
                self.states[t] = flat[offsets[i] : offsets[i + 1]]

    def get(self, texts: list[str]) -> list[np.ndarray]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.states]
        if todo:
            started = time.perf_counter()
            for i, t in enumerate(todo):
                self.states[t] = shared_encoder().hidden_states(t, FIRST_CACHED)
                if i % 500 == 499:
                    logging.info("states %d/%d", i + 1, len(todo))
            logging.info("states of %d texts in %.0fs", len(todo), time.perf_counter() - started)
            self.save()
        return [self.states[t] for t in texts]

    def save(self) -> None:
        texts = list(self.states)
        arrays = [self.states[t] for t in texts]
        offsets = np.concatenate([[0], np.cumsum([a.shape[0] for a in arrays])])
        np.savez(self.path, texts=json.dumps(texts), flat=np.concatenate(arrays), offsets=offsets)


def vectors(states: list[np.ndarray], overrides: dict[str, np.ndarray] | None) -> np.ndarray:
    weights = {**shared_encoder().weights(), **(overrides or {})}
    return encode_top_layers(states, weights, FIRST_CACHED)


_entering: dict[tuple[int, int], np.ndarray] = {}


def encoder_for(
    settings: FineTuneSettings | None, states: list[np.ndarray], labels: list[str]
) -> dict[str, np.ndarray] | None:
    if settings is None:
        return None
    encoder = shared_encoder()
    first = LAYERS - settings.layers
    # the states entering the first trained layer: the frozen layers between run here
    entering = []
    for s in states:
        key = (id(s), first)
        if key not in _entering:
            _entering[key] = encoder.finish_layers(s, FIRST_CACHED, first)
        entering.append(_entering[key])
    return finetune_top_layers(entering, labels, encoder.weights(), settings)


def typos(text: str, rng: random.Random) -> str:
    """One random character edit (drop, double, swap with the next, replace) in a word of
    three or more letters: the kind of slip a shopper makes."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 3]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    pos = rng.randrange(len(word) - 1)
    edit = rng.choice(["drop", "double", "swap", "replace"])
    if edit == "drop":
        word = word[:pos] + word[pos + 1 :]
    elif edit == "double":
        word = word[:pos] + word[pos] + word[pos:]
    elif edit == "swap":
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    else:
        word = word[:pos] + rng.choice(string.ascii_lowercase) + word[pos + 1 :]
    words[i] = word
    return " ".join(words)


class Model:
    """The replica classifier + the production OutOfScopeDetector on the same features."""

    def __init__(self, detector: bool) -> None:
        self.use_detector = detector

    def features(self, texts: list[str], vecs: np.ndarray, fit: bool) -> sp.csr_matrix:
        joined = tokens(texts)
        if fit:
            self.word = CountVectorizer(token_pattern=r"\S+", ngram_range=(1, 2)).fit(joined)
            self.char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(joined)
        return sp.hstack(
            [self.word.transform(joined), self.char.transform(joined), sp.csr_matrix(vecs * 10)]
        ).tocsr()

    def messages(self, texts: list[str], matrix: sp.csr_matrix, vecs: np.ndarray, labels=None):
        from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
        from rasa.shared.nlu.training_data.features import Features
        from rasa.shared.nlu.training_data.message import Message

        n_sparse = matrix.shape[1] - vecs.shape[1]
        out = []
        for i, t in enumerate(texts):
            data = {"text": t}
            if labels is not None:
                data["intent"] = labels[i]
            m = Message(data=data)
            m.add_features(Features(matrix[i, :n_sparse], FEATURE_TYPE_SENTENCE, TEXT, "ngrams"))
            m.add_features(Features(vecs[i : i + 1] * 10, FEATURE_TYPE_SENTENCE, TEXT, "minilm"))
            out.append(m)
        return out

    def fit(self, texts: list[str], labels: list[str], vecs: np.ndarray) -> Model:
        matrix = self.features(texts, vecs, True)
        self.clf = LogisticRegression(C=1.0, max_iter=200).fit(matrix, labels)
        if self.use_detector:
            from rasa.engine.storage.local_model_storage import LocalModelStorage
            from rasa.engine.storage.resource import Resource
            from rasa.shared.nlu.training_data.training_data import TrainingData

            from rasa_addons.oos_detector import OutOfScopeDetector

            storage = LocalModelStorage(Path(tempfile.mkdtemp()))
            self.detector = OutOfScopeDetector(
                OutOfScopeDetector.get_default_config(), storage, Resource("oos")
            )
            self.detector.train(TrainingData(self.messages(texts, matrix, vecs, labels)))
        return self

    def predict(self, texts: list[str], vecs: np.ndarray) -> tuple[list[str], np.ndarray]:
        from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY

        matrix = self.features(texts, vecs, False)
        proba = self.clf.predict_proba(matrix)
        classes = self.clf.classes_
        names = list(classes[proba.argmax(1)])
        conf = proba.max(1)
        if not self.use_detector:
            return names, conf
        msgs = self.messages(texts, matrix, vecs)
        for m, row in zip(msgs, proba, strict=True):
            order = np.argsort(-row)[:10]
            ranking = [{"name": classes[j], "confidence": float(row[j])} for j in order]
            m.set(INTENT, ranking[0], add_to_output=True)
            m.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        self.detector.process(msgs)
        names = [m.get(INTENT)["name"] for m in msgs]
        conf = np.array([m.get(INTENT)["confidence"] for m in msgs])
        return names, conf


def figures(gold: list[str], pred: list[str], conf: np.ndarray) -> dict[str, float]:
    said = [p if c >= THRESHOLD else FALLBACK for p, c in zip(pred, conf, strict=True)]
    labels = sorted(set(gold))
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, said, strict=True))
        predicted = sum(p == label for p in said)
        support = sum(g == label for g in gold)
        prec = tp / predicted if predicted else 0.0
        rec = tp / support if support else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if tp else 0.0)
    ins = [p for g, p in zip(gold, said, strict=True) if g != OOS]
    outs = [p for g, p in zip(gold, said, strict=True) if g == OOS]
    return {
        "macro_f1": round(float(np.mean(f1s)), 4),
        "fallback": round(sum(p == FALLBACK for p in ins) / len(ins), 4),
        "oos_recall": round(sum(p == OOS for p in outs) / max(len(outs), 1), 4),
        "in_to_oos": round(sum(p == OOS for p in ins) / len(ins), 4),
    }


def run(
    settings: FineTuneSettings | None,
    train: list[tuple[str, str]],
    test: list[tuple[str, str]],
    states: States,
    detector: bool,
    augment: int,
) -> dict[str, float]:
    if augment:
        rng = random.Random(SEED)
        train = train + [(typos(t, rng), i) for _ in range(augment) for t, i in train]
    texts, labels = [t for t, _ in train], [i for _, i in train]
    train_states = states.get(texts)
    overrides = encoder_for(settings, train_states, labels)
    model = Model(detector).fit(texts, labels, vectors(train_states, overrides))
    test_texts = [t for t, _ in test]
    pred, conf = model.predict(test_texts, vectors(states.get(test_texts), overrides))
    return figures([i for _, i in test], pred, conf)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--no-detector", action="store_true")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--augment", type=int, default=0, help="typo copies per example")
    parser.add_argument("--steps", type=int)
    args = parser.parse_args()
    en = load(ROOT / "data" / "nlu")
    dev = load(ROOT / "eval" / "nlu_dev")
    states = States()
    states.get([t for t, _ in en] + [t for t, _ in dev])
    results_path = CACHE / "finetune_results.jsonl"
    for name, settings in CANDIDATES.items():
        if args.only and name not in args.only:
            continue
        if settings is not None and args.steps:
            settings = replace(settings, steps=args.steps)
        started = time.perf_counter()
        row: dict[str, object] = {"candidate": name, "settings": str(settings)}
        row["augment"] = args.augment
        row["dev"] = run(settings, en, dev, states, not args.no_detector, args.augment)
        logging.info("%s dev %s", name, row["dev"])
        if not args.no_cv:
            labels = [i for _, i in en]
            gold: list[str] = []
            preds: list[str] = []
            confs = []
            splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
            for tr, te in splitter.split(en, labels):
                model_train = [en[i] for i in tr]
                model_test = [en[i] for i in te]
                if args.augment:
                    rng = random.Random(SEED)
                    model_train += [
                        (typos(t, rng), i) for _ in range(args.augment) for t, i in model_train
                    ]
                texts = [t for t, _ in model_train]
                lab = [i for _, i in model_train]
                st = states.get(texts)
                overrides = encoder_for(settings, st, lab)
                model = Model(False).fit(texts, lab, vectors(st, overrides))
                tt = [t for t, _ in model_test]
                p, c = model.predict(tt, vectors(states.get(tt), overrides))
                gold += [i for _, i in model_test]
                preds += p
                confs.append(c)
            row["cv"] = figures(gold, preds, np.concatenate(confs))
            logging.info("%s cv %s", name, row["cv"])
        row["seconds"] = round(time.perf_counter() - started)
        print(json.dumps(row), flush=True)
        with results_path.open("a") as f:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
