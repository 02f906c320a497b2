"""The Rasa image holds what the channels in credentials.yml and the NLU pipeline in config.yml
import: a module missing from the image's COPY lines would stop the production Rasa server at
start, or the image's training stage (docker is not run offline, so a stage's files are copied
into a folder and imported from there)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.rasa_side.rasa_env import PROJECT_ROOT, RASA_PYTHON, needs_rasa

DOCKERFILE = PROJECT_ROOT / "deploy" / "docker" / "rasa.Dockerfile"


def _copies(stage: str) -> list[tuple[list[str], str]]:
    """The COPY lines of one stage of the Dockerfile ("train" or "runtime")."""
    text = DOCKERFILE.read_text().split(f" AS {stage}", 1)[1].split("\nFROM ", 1)[0]
    copies = []
    for line in text.splitlines():
        match = re.match(r"^COPY (?!--from)(.+)$", line.strip())
        if match:
            *sources, target = match.group(1).split()
            copies.append((sources, target))
    return copies


def _image_folder(stage: str, root: Path) -> Path:
    """The files one stage of the image copies, in a folder of their own."""
    app = root / stage
    app.mkdir()
    for sources, target in _copies(stage):
        for source in sources:
            src = PROJECT_ROOT / source
            if not src.exists() or source.startswith("requirements"):
                continue
            dest = app / target / src.name if target.endswith("/") else app / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dest, dirs_exist_ok=True)
            else:
                shutil.copy(src, dest)
    return app


def _imports_from(app: Path, modules: list[str]) -> subprocess.CompletedProcess[str]:
    script = "import importlib, rasa.shared.utils.common\n" + "".join(
        f"importlib.import_module({m!r})\n" for m in modules
    )
    # From the image folder alone (python -c puts the working directory first on the path).
    return subprocess.run(
        [str(RASA_PYTHON), "-c", script],
        cwd=app,
        env={**os.environ, "PYTHONPATH": str(app)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _pipeline_modules() -> list[str]:
    """The project's own NLU components and policies named in config.yml."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [str(step["name"]) for key in ("pipeline", "policies") for step in config[key]]
    return sorted({name.rsplit(".", 1)[0] for name in names if "." in name})


@needs_rasa
def test_the_rasa_image_can_import_every_configured_channel(tmp_path: Path) -> None:
    app = _image_folder("runtime", tmp_path)
    channels = list(yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()))
    modules = sorted({name.rsplit(".", 1)[0] for name in channels if "." in name})
    assert "rasa_addons.channels.telegram" in modules
    done = _imports_from(app, modules)
    assert done.returncode == 0, done.stderr[-3000:]


@needs_rasa
def test_both_stages_of_the_rasa_image_can_import_the_nlu_pipeline(tmp_path: Path) -> None:
    """The pipeline's steps import bot modules (intent_evidence -> payment_words): the stage
    that trains the model and the one that serves it copy them all."""
    modules = _pipeline_modules()
    assert "rasa_addons.intent_evidence" in modules
    for stage in ("train", "runtime"):
        done = _imports_from(_image_folder(stage, tmp_path), modules)
        assert done.returncode == 0, f"{stage}: {done.stderr[-3000:]}"
