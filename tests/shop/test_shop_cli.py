"""``shopbot shop`` commands through Typer's CliRunner, on a fresh SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.bootstrap import install
from bot.cli.main import app
from bot.db.session import Database
from tests.shop.conftest import row_counts

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point DATABASE_URL at an empty file; the commands migrate it themselves."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    install(None)
    yield url
    install(None)


def _counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        return row_counts(db)
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ["shop"],
        ["shop", "load"],
        ["shop", "load", "demo"],
        ["shop", "load", "tau"],
        ["shop", "load", "feed"],
        ["shop", "ensure-demo"],
        ["shop", "generate-demo"],
        ["shop", "stats"],
    ],
)
def test_help_works_for_every_command(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    if len(args) > 1:
        assert len(result.output.splitlines()) > 4


def test_load_tau_then_reload_and_stats(cli_db: str, tau_dir: Path) -> None:
    first = runner.invoke(app, ["shop", "load", "tau", str(tau_dir)])
    assert first.exit_code == 0, first.output
    assert "Import of tau data" in first.output and "1000" in first.output
    counts = _counts(cli_db)
    assert (counts["products"], counts["variants"], counts["customers"], counts["orders"]) == (
        50, 591, 500, 1000
    )  # fmt: skip
    second = runner.invoke(app, ["shop", "load", "tau", str(tau_dir)])
    assert second.exit_code == 0
    assert "Already up to date" in second.output
    assert _counts(cli_db) == counts

    stats = runner.invoke(app, ["shop", "stats"])
    assert stats.exit_code == 0
    for label in ("products", "variants in stock", "orders: pending", "transactions: refund",
                  "payment methods: gift_card", "policy passages"):  # fmt: skip
        assert label in stats.output


def test_ensure_demo_loads_once(cli_db: str) -> None:
    first = runner.invoke(app, ["shop", "ensure-demo"])
    assert first.exit_code == 0, first.output
    assert first.output.strip().startswith("Loaded the demo shop: 331 products")
    assert len(first.output.strip().splitlines()) == 1
    assert _counts(cli_db)["orders"] == 360
    second = runner.invoke(app, ["shop", "ensure-demo"])
    assert second.exit_code == 0
    assert "demo shop not loaded" in second.output


def test_bad_feed_exits_1_without_traceback(cli_db: str, tmp_path: Path) -> None:
    feed = tmp_path / "bad.csv"
    feed.write_text("product_id,title,variant_id,price\nP1,Shoe,V1,cheap\n", encoding="utf-8")
    result = runner.invoke(app, ["shop", "load", "feed", str(feed)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{feed}, row 2, field 'price': not a number: 'cheap'" in result.output
    assert "Nothing was written" in result.output
    # Validation happens before the database is even opened.
    assert not Path(cli_db.removeprefix("sqlite:///")).exists()


def test_good_feed_via_cli(cli_db: str, tmp_path: Path) -> None:
    feed = tmp_path / "ok.csv"
    feed.write_text("product_id,title,variant_id,price,stock\nP1,Shoe,V1,10.00,3\n")
    result = runner.invoke(app, ["shop", "load", "feed", str(feed)])
    assert result.exit_code == 0, result.output
    assert _counts(cli_db)["variants"] == 1


def test_generate_demo_writes_the_committed_files(tmp_path: Path, demo_dir: Path) -> None:
    result = runner.invoke(app, ["shop", "generate-demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "331 products, 120 customers, 360 orders" in result.output
    assert (tmp_path / "orders.json").read_bytes() == (demo_dir / "orders.json").read_bytes()


def test_missing_tau_folder_is_a_friendly_error(cli_db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["shop", "load", "tau", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{tmp_path / 'nowhere' / 'products.json'}: file not found" in result.output
