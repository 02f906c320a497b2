"""Quick replica of the bilingual NLU candidates, for choosing (run in ``.venv-rasa``).

A Rasa cross-validation of one candidate costs tens of minutes on the shared 2-core machine,
so candidates are first compared with a replica of their intent classifier: the same
tokenizer (MixedTokenizer or WhitespaceTokenizer, through Rasa), word 1-2-gram and char_wb
2-5-gram counts, the sentence vectors times 10, and scikit-learn's logistic regression with C=1
(the LexicalSyntactic and Regex features are left out). The replica matched Rasa's CV before
(docs/nlu/README.md, run 4). Sentence vectors are cached in ``var/nlu-replica/``.

What it reports, per candidate: English k-fold CV and dev set (eval/nlu_dev), Chinese k-fold
CV and a held-out slice carved from the Chinese training data (stratified, seeded). Never
the Chinese independent set (eval/nlu_zh): that one is for reporting only.

    PYTHONPATH=. .venv-rasa/bin/python scripts/nlu_bilingual_replica.py [--zh data/nlu_zh]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "nlu-replica"
FOLDS = 3
SEED = 20
HELD_OUT = 0.2
THRESHOLD = 0.4  # the FallbackClassifier's


def load(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    files = [path] if path.is_file() else sorted(path.glob("*.yml"))
    pairs: list[tuple[str, str]] = []
    for file in files:
        data = load_data(str(file))
        pairs += [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return pairs


def tokens(texts: list[str], mixed: bool) -> list[list[str]]:
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    from rasa_addons.mixed_tokenizer import MixedTokenizer

    cls = MixedTokenizer if mixed else WhitespaceTokenizer
    tok = cls(cls.get_default_config())
    return [
        [t.text.lower() for t in tok.tokenize(Message(data={"text": x}), "text")] for x in texts
    ]


def encode(name: str, texts: list[str]) -> np.ndarray:
    """Sentence vectors, cached per encoder and text."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.json"
    cache: dict[str, list[float]] = json.loads(path.read_text()) if path.exists() else {}
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    if todo:
        if name == "minilm":
            from rasa_addons.minilm import shared_encoder

            enc = lambda t: shared_encoder().encode([t])[0]  # noqa: E731
        else:
            from rasa_addons.e5_featurizer import shared_e5

            enc = lambda t: shared_e5(1).query(t)  # noqa: E731
        started = time.perf_counter()
        for i, t in enumerate(todo):
            cache[t] = [float(v) for v in enc(t)]
            if i % 500 == 499:
                path.write_text(json.dumps(cache))
        logging.info("%s: %d texts in %.0fs", name, len(todo), time.perf_counter() - started)
        path.write_text(json.dumps(cache))
    return np.array([cache[t] for t in texts])


# The script an encoder is gated to in the script-gated candidate (rasa_addons/script_gate.py).
GATES = {"minilm": "non_cjk", "e5": "cjk"}

CANDIDATES = {
    "e_logreg_minilm (English pipeline)": (False, ["minilm"]),
    "f_bilingual_minilm_e5": (True, ["minilm", "e5"]),
    "g_bilingual_e5": (True, ["e5"]),
    "h_bilingual_gated": (True, ["minilm", "e5"], True),
}


def gated_encode(name: str, texts: list[str]) -> np.ndarray:
    """The encoder's vectors for the texts of its script, zeros for the others (not encoded)."""
    from rasa_addons.script_gate import in_script

    mine = [i for i, t in enumerate(texts) if in_script(t, GATES[name])]
    out = np.zeros((len(texts), 384))
    if mine:
        out[mine] = encode(name, [texts[i] for i in mine])
    return out


class Replica:
    def __init__(self, mixed: bool, encoders: list[str], gated: bool = False) -> None:
        self.mixed, self.encoders, self.gated = mixed, encoders, gated

    def features(self, texts: list[str], fit: bool) -> sp.csr_matrix:
        joined = [" ".join(t) for t in tokens(texts, self.mixed)]
        if fit:
            self.word = CountVectorizer(token_pattern=r"\S+", ngram_range=(1, 2)).fit(joined)
            self.char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(joined)
        parts = [self.word.transform(joined), self.char.transform(joined)]
        vectors = gated_encode if self.gated else encode
        parts += [sp.csr_matrix(vectors(name, texts) * 10.0) for name in self.encoders]
        return sp.hstack(parts).tocsr()

    def fit(self, texts: list[str], labels: list[str]) -> Replica:
        self.clf = LogisticRegression(C=1.0, max_iter=200).fit(self.features(texts, True), labels)
        return self

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        proba = self.clf.predict_proba(self.features(texts, False))
        return self.clf.classes_[proba.argmax(1)], proba.max(1)


def figures(gold: list[str], pred: np.ndarray, conf: np.ndarray) -> dict[str, float]:
    in_scope = np.array([g != "out_of_scope" for g in gold])
    return {
        "macro_f1": round(float(f1_score(gold, pred, average="macro")), 3),
        "fallback": round(float((conf[in_scope] < THRESHOLD).mean()), 3),
    }


def cv(cand: tuple, data: list[tuple[str, str]], extra=()) -> dict[str, float]:
    """k-fold CV on ``data``; ``extra`` (the other language) is added to every training fold."""
    texts, labels = [t for t, _ in data], [i for _, i in data]
    gold: list[str] = []
    preds, confs = [], []
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(texts, labels):
        tr = [data[i] for i in train] + list(extra)
        model = Replica(*cand).fit([t for t, _ in tr], [i for _, i in tr])
        p, c = model.predict([texts[i] for i in test])
        gold += [labels[i] for i in test]
        preds.append(p)
        confs.append(c)
    return figures(gold, np.concatenate(preds), np.concatenate(confs))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser()
    parser.add_argument("--zh", type=Path, default=ROOT / "data" / "nlu_zh")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    en = load(ROOT / "data" / "nlu")
    dev = load(ROOT / "eval" / "nlu_dev")
    zh = load(args.zh)
    zh_train, zh_held = train_test_split(
        zh, test_size=HELD_OUT, random_state=SEED, stratify=[i for _, i in zh]
    )
    logging.info("en %d, dev %d, zh %d (held-out %d)", len(en), len(dev), len(zh), len(zh_held))
    results: dict[str, dict[str, object]] = {}
    for name, cand in CANDIDATES.items():
        if args.only and not any(o in name for o in args.only):
            continue
        started = time.perf_counter()
        row: dict[str, object] = {}
        bilingual = cand[0]
        train = en + (zh_train if bilingual else [])
        model = Replica(*cand).fit([t for t, _ in train], [i for _, i in train])
        row["en_dev"] = figures([i for _, i in dev], *model.predict([t for t, _ in dev]))
        row["en_cv"] = cv(cand, en, zh if bilingual else ())
        if bilingual:
            row["zh_held_out"] = figures(
                [i for _, i in zh_held], *model.predict([t for t, _ in zh_held])
            )
            row["zh_cv"] = cv(cand, zh, en)
        else:
            # The "router" alternative: the English pipeline untouched, and a Chinese model
            # (the mixed tokenizer + e5, trained on Chinese only) for messages with Chinese.
            zh_only = (True, ["e5"])
            model = Replica(*zh_only).fit([t for t, _ in zh_train], [i for _, i in zh_train])
            row["zh_held_out (router: Chinese-only model)"] = figures(
                [i for _, i in zh_held], *model.predict([t for t, _ in zh_held])
            )
            row["zh_cv (router: Chinese-only model)"] = cv(zh_only, zh)
        row["seconds"] = round(time.perf_counter() - started)
        results[name] = row
        print(json.dumps({name: row}, ensure_ascii=False), flush=True)
    out = CACHE / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
