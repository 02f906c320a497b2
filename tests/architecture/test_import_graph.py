"""No import cycles between the packages of ``bot``; migrations import no application code.

The graph is built from the source (AST), not from ``sys.modules``: an import inside a function
counts the same as one at the top of a module, because it is the same dependency, only hidden.
Names handed to ``importlib.import_module`` as string constants count too (the web app mounts
its routers and the CLI its command groups that way).

A node is a package under ``bot/`` (``bot/catalog/...`` is ``catalog``) or a top-level module
(``bot/settings.py`` is ``settings``). ``bot/db/migrations`` is a node of its own: Alembic
loads it by path and nothing imports it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
MIGRATIONS = BOT / "db" / "migrations"

# Edges that still close a cycle, each owned by a package another change restructures. The test
# ignores them (and prints them); it fails once one is gone so the entry is deleted too.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}
# What Alembic's env.py may use: the engine factory, the settings and the table metadata (for
# autogenerate). Revisions themselves import nothing from bot.
ENV_MAY_IMPORT = {"bot.db.session", "bot.settings", "bot.schema"}

Site = str  # "bot/x/y.py:12"
Graph = dict[str, dict[str, list[Site]]]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _node(module: str) -> str | None:
    """The graph node of a ``bot.*`` module name, or None for anything else."""
    parts = module.split(".")
    if parts[0] != "bot":
        return None
    if len(parts) == 1:
        return "(bot)"  # bot/__init__.py
    if parts[1:3] == ["db", "migrations"]:
        return "db.migrations"
    return parts[1]


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, anywhere in the file, with the line of the import."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    dynamic = "import_module" in source
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # "from bot import schema" imports the module bot.schema
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
        elif (
            dynamic
            and isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("bot.")
            and all(part.isidentifier() for part in node.value.split("."))
        ):
            found.append((node.value, node.lineno))
    return found


def build_graph() -> Graph:
    graph: Graph = defaultdict(lambda: defaultdict(list))
    for path in sorted(BOT.rglob("*.py")):
        source = _node(_module_name(path))
        assert source is not None, path
        for module, line in imported_modules(path):
            target = _node(module)
            if target in (None, "(bot)", source) or not _exists(module):
                continue
            graph[source][target].append(f"{path.relative_to(BOT.parent)}:{line}")
    return graph


def _exists(module: str) -> bool:
    """True for a module or package of bot (drops "bot.db.models.Base"-style attribute names)."""
    relative = Path(*module.split("."))
    root = BOT.parent
    return (root / relative).with_suffix(".py").is_file() or (root / relative).is_dir()


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle per strongly connected component with more than one node (Tarjan + DFS)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    nodes = sorted(set(graph) | {w for targets in graph.values() for w in targets})
    for v in nodes:
        if v not in index:
            visit(v)
    return [_one_cycle(graph, set(c)) for c in components]


def _one_cycle(graph: Graph, members: set[str]) -> list[str]:
    """A shortest cycle through the component's first node (breadth-first back to it)."""
    start = min(members)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, {})):
            if w == start:
                return [*paths[v], start]
            if w in members and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError("a strongly connected component always has a cycle")


def _describe(graph: Graph, cycle: list[str]) -> str:
    lines = [" -> ".join(cycle)]
    for a, b in zip(cycle, cycle[1:], strict=False):
        sites = graph[a][b]
        more = f" (+{len(sites) - 3} more)" if len(sites) > 3 else ""
        lines.append(f"    {a} -> {b}: {', '.join(sites[:3])}{more}")
    return "\n".join(lines)


def without_known_exceptions(graph: Graph) -> Graph:
    return {
        a: {b: sites for b, sites in targets.items() if (a, b) not in KNOWN_EXCEPTIONS}
        for a, targets in graph.items()
    }


def test_no_import_cycles_between_bot_packages() -> None:
    graph = build_graph()
    for (a, b), why in KNOWN_EXCEPTIONS.items():
        print(f"known exception {a} -> {b}: {why}\n    at {', '.join(graph[a].get(b, []))}")
    found = cycles(without_known_exceptions(graph))
    report = "\n".join(_describe(graph, c) for c in found)
    assert not found, f"import cycles between bot packages:\n{report}"


def test_known_exceptions_are_still_needed() -> None:
    graph = build_graph()
    gone = [f"{a} -> {b}" for a, b in KNOWN_EXCEPTIONS if b not in graph.get(a, {})]
    assert not gone, f"no longer imported; delete from KNOWN_EXCEPTIONS: {gone}"


def test_the_graph_sees_function_level_and_dynamic_imports() -> None:
    graph = build_graph()
    # bot/web/app.py names its routers in strings; bot/cli/main.py its command groups.
    assert "console" in graph["web"]
    assert {"catalog", "console", "shop"} <= set(graph["cli"])


def test_migrations_import_no_application_code() -> None:
    offending = []
    for path in sorted(MIGRATIONS.rglob("*.py")):
        allowed = ENV_MAY_IMPORT if path.name == "env.py" else set()
        for module, line in imported_modules(path):
            if module.split(".")[0] == "bot" and module not in allowed and _exists(module):
                offending.append(f"{path.relative_to(BOT.parent)}:{line} imports {module}")
    assert not offending, (
        "a migration must be self-contained (copy the table definitions it needs as they "
        "were at that revision):\n" + "\n".join(offending)
    )
