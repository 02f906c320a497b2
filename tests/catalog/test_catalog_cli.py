"""`shopbot catalog` commands end to end on a small SQLite catalog."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.catalog.keyword import ensure_search_indexes
from bot.cli.catalog import app
from bot.db.session import Database
from tests.catalog.conftest import load_catalog

runner = CliRunner()


def test_evaluate_writes_a_report_with_all_modes(sqlite_db: Database, tmp_path: Path) -> None:
    ensure_search_indexes(sqlite_db)
    load_catalog(sqlite_db)
    queries = tmp_path / "queries.yml"
    queries.write_text(
        "queries:\n"
        "  - {query: 'noise cancelling headphones', kind: type, relevant: [SB-P0006]}\n"
        "  - {query: 'thermos for tea', kind: paraphrase, relevant: [SB-P0007]}\n"
        "  - {query: 'red shoe in 44 under $120', kind: filtered, relevant: [SB-P0001]}\n",
        encoding="utf-8",
    )
    report = tmp_path / "retrieval.md"
    result = runner.invoke(
        app,
        ["evaluate", "--queries", str(queries), "--report", str(report),
         "--database-url", sqlite_db.url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    assert "| hybrid | 1.000 | 1.000 |" in text
    # Keyword alone cannot find the paraphrase: its recall is 2 of 3 queries.
    assert "| keyword | 0.667 |" in text
    assert "Embedded 8 of 8 products" in result.output


def test_search_command_rejects_a_bad_mode() -> None:
    result = runner.invoke(app, ["search", "tent", "--mode", "fuzzy"])
    assert result.exit_code == 2
    assert "--mode must be keyword, semantic or hybrid" in result.output
