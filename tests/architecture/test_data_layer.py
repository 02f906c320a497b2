"""Only the data layer talks SQL: no module elsewhere in ``bot`` imports SQLAlchemy.

Queries live in repositories, one per aggregate (orders and customers, catalog, conversations,
insights); dialogue, answers, web, console routes, the CLI and the order tasks call repository
methods named after what they return. A unit of work (a session) may be passed around, typed
with the aliases ``bot.db.session`` exports (``Session``, ``DatabaseError``, ...), but a module
outside the data layer must not build a query: it imports neither ``sqlalchemy`` (anywhere in
the file, inside functions too) nor a query builder re-exported by a data-layer module.

The scan is on the source (AST), like ``test_import_graph.py``.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# The data layer, declared once (paths relative to the repository root, fnmatch patterns):
DATA_LAYER = (
    # engine/session and the aliases others use, the shop's ORM models, Rasa's events read
    # model, the migration runner and the Alembic migrations themselves
    "bot/db/*",
    # table definitions of the packages that own tables (console, insights, ...)
    "bot/*/models.py",
    # repositories: one module per aggregate, or a package when an aggregate has several
    # stores (the catalog's rows, keyword index and embeddings; the console's tables)
    "bot/*/repository.py",
    "bot/*/repositories/*",
)
# What a query is built from: importing one of these from a data-layer module (a re-export)
# counts as building SQL outside the data layer.
QUERY_BUILDERS = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "func",
    "or_",
    "and_",
    "not_",
    "literal",
    "tuple_",
    "cast",
    "bindparam",
    "Table",
    "Column",
}


def in_data_layer(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return any(fnmatch(relative, pattern) for pattern in DATA_LAYER)


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_data_layer_module(module: str) -> bool:
    path = ROOT / Path(*module.split("."))
    candidates = [path.with_suffix(".py"), path / "__init__.py"]
    return any(c.is_file() and in_data_layer(c) for c in candidates)


def violations(path: Path) -> list[str]:
    """Each SQLAlchemy import or re-exported query builder in ``path``, with its line."""
    return violations_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())


def violations_in(source: str, where: str) -> list[str]:
    tree = ast.parse(source, filename=where)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno} imports {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module.split(".")[0] == "sqlalchemy":
                found.append(f"{where}:{node.lineno} imports from {node.module}")
            elif node.module.startswith("bot.") and _is_data_layer_module(node.module):
                found += [
                    f"{where}:{node.lineno} imports the query builder {alias.name} "
                    f"from {node.module}"
                    for alias in node.names
                    if alias.name in QUERY_BUILDERS
                ]
    return sorted(found, key=lambda v: int(v.split(":")[1].split()[0]))


def modules_importing_sqlalchemy() -> list[Path]:
    return [
        path
        for path in sorted(BOT.rglob("*.py"))
        if any("sqlalchemy" in v for v in violations(path))
    ]


def test_no_sql_outside_the_data_layer() -> None:
    offending = [
        v for p in sorted(BOT.rglob("*.py")) if not in_data_layer(p) for v in violations(p)
    ]
    assert not offending, "SQL outside the data layer (move it into a repository):\n" + "\n".join(
        offending
    )


def test_the_data_layer_patterns_match_real_modules() -> None:
    # A pattern nothing matches is a stale declaration (a moved package), not a harmless one.
    paths = [p.relative_to(ROOT).as_posix() for p in BOT.rglob("*.py")]
    unused = [pat for pat in DATA_LAYER if not any(fnmatch(p, pat) for p in paths)]
    assert not unused, f"data-layer patterns that match no module: {unused}"


def test_the_scan_sees_imports_inside_functions_and_re_exports() -> None:
    source = (
        "def f():\n"
        "    from sqlalchemy import select\n"
        "    import sqlalchemy.orm\n"
        "from bot.db.session import Session, select\n"
        "from bot.texts import t\n"
    )
    found = violations_in(source, "bot/probe.py")
    assert found == [
        "bot/probe.py:2 imports from sqlalchemy",
        "bot/probe.py:3 imports sqlalchemy.orm",
        "bot/probe.py:4 imports the query builder select from bot.db.session",
    ]


def test_the_data_layer_is_what_the_brief_says() -> None:
    assert in_data_layer(BOT / "db" / "migrations" / "versions" / "0001_shop.py")
    assert in_data_layer(BOT / "console" / "models.py")
    assert in_data_layer(BOT / "catalog" / "repository.py")
    assert not in_data_layer(BOT / "orders" / "service.py")
    assert not in_data_layer(BOT / "console" / "routes.py")
