"""The suite stays outside the product: nothing else imports ``bot.eval``, and it never imports
``rasa_sdk`` (it talks to the bot over HTTP like a shopper)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "bot" / "eval"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_product_never_imports_the_eval_harness() -> None:
    product = [
        p
        for folder in ("bot", "actions", "rasa_addons")
        for p in (ROOT / folder).rglob("*.py")
        if EVAL not in p.parents
    ]
    assert product
    offenders = [p for p in product if any(m.startswith("bot.eval") for m in _imports(p))]
    assert offenders == []


def test_the_harness_never_imports_rasa_sdk() -> None:
    files = list(EVAL.rglob("*.py"))
    assert files
    assert [p for p in files if any(m.startswith(("rasa_sdk", "rasa.")) for m in _imports(p))] == []
