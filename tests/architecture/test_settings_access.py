"""One settings object, read once: ``get_settings()`` and the environment stay in two modules.

Issue 15: settings were fetched with ``get_settings()`` in ~36 places and some ``SHOPBOT_*``
variables bypassed ``Settings``, so a test (or an embedder) could not build the product from
an explicit configuration. Now ``bot/bootstrap.py`` builds the services from the settings and
passes them down; this test reads the source (AST, imports inside functions included) of the
``shopbot`` package's code and fails on any other call of ``get_settings`` or read of
``os.environ`` / ``os.getenv``.

``rasa_addons/`` runs inside the Rasa process (Python 3.10, pydantic 1), which cannot import
``bot.settings``: it has its own standard-library twin, ``rasa_addons/settings.py``, the one
module there that reads the environment (its variables are set by ``bot/runtime/stack.py``
and the deployment files).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("bot", "actions", "rasa_addons")

# The only modules allowed to meet the environment, and why:
ALLOWED = {
    # Settings reads the environment, and owns the few helpers that hand it to child
    # processes (Rasa, Sanic workers, harnesses) or read a variable the operator named.
    "bot/settings.py",
    # The one place that calls get_settings(): the process's services are built from it.
    "bot/bootstrap.py",
    # The Rasa process's settings, read once (rasa_addons cannot import bot.settings).
    "rasa_addons/settings.py",
}


def _offences(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    os_names = {"os"}  # `import os as system` is followed too
    environ_names: set[str] = set()  # `from os import environ, getenv`
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names |= {a.asname or a.name for a in node.names if a.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            environ_names |= {
                a.asname or a.name for a in node.names if a.name in ("environ", "getenv")
            }
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "get_settings":
                yield f"{line}: calls get_settings()"
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "environb", "getenvb")
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        ):
            yield f"{line}: reads os.{node.attr}"
        if isinstance(node, ast.Name) and node.id in environ_names:
            yield f"{line}: reads {node.id} (from os)"


def _sources() -> Iterator[Path]:
    for top in SCANNED:
        yield from sorted((ROOT / top).rglob("*.py"))


def test_only_settings_and_bootstrap_meet_the_environment() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{offence}"
        for path in _sources()
        if str(path.relative_to(ROOT)) not in ALLOWED
        for offence in _offences(path)
    ]
    assert not found, (
        "take the value as an argument (the bootstrap passes it from Settings), or add a "
        "Settings field:\n" + "\n".join(found)
    )


def test_the_checker_sees_each_kind_of_access(tmp_path: Path) -> None:
    """The rule catches what it is meant to catch (else the test above proves nothing)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport os as system\nfrom os import getenv as ge\n"
        "from bot.settings import get_settings\n"
        "def f():\n"
        "    from bot import settings\n"
        "    a = get_settings().redis_url\n"
        "    b = settings.get_settings()\n"
        "    c = os.environ.get('X')\n"
        "    d = system.getenv('Y')\n"
        "    e = ge('Z')\n"
        "    return os.path.join(a, b, c, d, e)\n",
        encoding="utf-8",
    )
    kinds = [offence.split(": ", 1)[1] for offence in _offences(sample)]
    assert sorted(kinds) == sorted(
        [
            "calls get_settings()",
            "calls get_settings()",
            "reads os.environ",
            "reads os.getenv",
            "reads ge (from os)",
        ]
    )


def test_the_allowed_modules_exist() -> None:
    """A renamed module must not leave a stale exception behind."""
    assert all((ROOT / path).is_file() for path in ALLOWED)
