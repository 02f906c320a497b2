"""The baseline assistant: our NLU pipeline, but every intent answered by one static response.

It answers through the same Rasa server, REST channel, Redis tracker/lock store and SQL event
broker as the real assistant, so the difference between the two is what our actions, forms
and services cost. Built in a temp dir from ``config.yml`` + ``data/nlu`` + the intents and
entities of ``domain/nlu.yml``; the trained model is cached under ``var/bench/`` keyed by a
hash of those inputs, so ``make bench`` trains it only when the NLU changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

CACHE_DIR = PROJECT_ROOT / "var" / "bench"
RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
# Rule-only policies: the baseline has no stories and no actions, it only maps intents.
BASELINE_POLICIES = [{"name": "RulePolicy", "core_fallback_threshold": 0.3}]
# Training epochs of DIET for the baseline. Same components and sizes as config.yml (so the
# same inference cost per message), but fewer epochs: the full 100 take ~50 min on the loaded
# 2-core machine and the baseline's answers are static anyway, so its accuracy is irrelevant.
BASELINE_DIET_EPOCHS = int(os.environ.get("SHOPBOT_BASELINE_DIET_EPOCHS", "15"))


def _inputs() -> list[Path]:
    files = [PROJECT_ROOT / "config.yml", PROJECT_ROOT / "domain" / "nlu.yml"]
    files += sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml"))
    return files


def inputs_hash() -> str:
    digest = hashlib.sha256(f"baseline-v1-epochs{BASELINE_DIET_EPOCHS}".encode())
    for path in _inputs():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def baseline_files(workdir: Path) -> Path:
    """Write config, NLU data, domain and rules of the baseline into ``workdir``."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    config["policies"] = BASELINE_POLICIES
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = BASELINE_DIET_EPOCHS
    (workdir / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", workdir / "data" / "nlu")
    nlu_domain = yaml.safe_load((PROJECT_ROOT / "domain" / "nlu.yml").read_text())
    intents = [i if isinstance(i, str) else next(iter(i)) for i in nlu_domain["intents"]]
    intents.append("nlu_fallback")
    domain = {
        "version": "3.1",
        "intents": intents,
        "entities": nlu_domain.get("entities", []),
        "responses": {
            f"utter_{intent}": [{"text": f"Static answer for {intent.replace('_', ' ')}."}]
            for intent in intents
        },
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }
    (workdir / "domain.yml").write_text(yaml.safe_dump(domain, sort_keys=False))
    rules = {
        "version": "3.1",
        "rules": [
            {
                "rule": f"answer {intent}",
                "steps": [{"intent": intent}, {"action": f"utter_{intent}"}],
            }
            for intent in intents
        ],
    }
    (workdir / "data" / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    return workdir


def baseline_model(log: Path | None = None) -> Path:
    """The cached baseline model, trained now if the NLU inputs changed."""
    key = inputs_hash()
    model = CACHE_DIR / f"baseline-{key}.tar.gz"
    if model.exists():
        return model
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shopbot-baseline-") as tmp:
        work = baseline_files(Path(tmp))
        # the pipeline's own components (rasa_addons) are imported from the project
        pythonpath = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p
        )
        env = dict(
            os.environ,
            PYTHONPATH=pythonpath,
            TF_CPP_MIN_LOG_LEVEL="2",
            RASA_TELEMETRY_ENABLED="false",
        )
        cmd = [
            str(RASA_BIN), "train", "--config", "config.yml", "--domain", "domain.yml",
            "--data", "data", "--out", str(work / "models"), "--fixed-model-name", "baseline",
        ]  # fmt: skip
        out = log.open("wb") if log else subprocess.DEVNULL
        try:
            subprocess.run(cmd, cwd=work, env=env, check=True, stdout=out, stderr=out)
        finally:
            if log:
                out.close()  # type: ignore[union-attr]
        shutil.move(str(work / "models" / "baseline.tar.gz"), model)
    return model


if __name__ == "__main__":
    print(baseline_model(CACHE_DIR / "baseline-train.log"))
