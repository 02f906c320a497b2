"""The Rasa image holds what the channels in credentials.yml import: a module missing from the
image's COPY lines would stop the production Rasa server at start (docker is not run offline,
so the runtime stage's files are copied into a folder and imported from there)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.rasa_side.rasa_env import PROJECT_ROOT, RASA_PYTHON, needs_rasa

DOCKERFILE = PROJECT_ROOT / "deploy" / "docker" / "rasa.Dockerfile"


def _runtime_copies() -> list[tuple[list[str], str]]:
    stage = DOCKERFILE.read_text().split(" AS runtime", 1)[1]
    copies = []
    for line in stage.splitlines():
        match = re.match(r"^COPY (?!--from)(.+)$", line.strip())
        if match:
            *sources, target = match.group(1).split()
            copies.append((sources, target))
    return copies


@needs_rasa
def test_the_rasa_image_can_import_every_configured_channel(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    for sources, target in _runtime_copies():
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
    channels = list(yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()))
    modules = sorted({name.rsplit(".", 1)[0] for name in channels if "." in name})
    assert "rasa_addons.channels.telegram" in modules
    script = "import importlib, rasa.shared.utils.common\n" + "".join(
        f"importlib.import_module({m!r})\n" for m in modules
    )
    # From the image folder alone (python -c puts the working directory first on the path).
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", script],
        cwd=app,
        env={**os.environ, "PYTHONPATH": str(app)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
