"""The conversation's language in the console: shown, filterable, per-language analytics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.console import analytics
from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.queries import ListFilters, list_page
from bot.db.session import Database
from tests.console.conftest import ADMIN, login, make_app

T0 = 1_790_000_000.0


def seed(db: Database) -> None:
    write_script(
        db,
        Script("zh-only", T0)
        .user("我的订单到哪了？", "order_status", 0.9)
        .slot("language", "zh")
        .action("utter_ask_order_id")
        .bot("请问您的订单号是多少？"),
    )
    write_script(
        db,
        Script("en-only", T0 + 60)
        .user("where is my order?", "order_status", 0.9)
        .slot("language", "en")
        .action("utter_ask_order_id")
        .bot("What is your order number?"),
    )
    write_script(
        db,
        Script("switched", T0 + 120)
        .user("hello", "greet", 0.9)
        .slot("language", "en")
        .action("utter_greet")
        .bot("Hello!")
        .user("我要退货", "return_item", 0.9)
        .slot("language", "zh")
        .action("utter_ask_order_id")
        .bot("请问您的订单号是多少？"),
    )


def test_language_filter_and_column(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)
    with cdb.session() as s:
        zh = list_page(s, ListFilters(lang="zh")).rows
        en = list_page(s, ListFilters(lang="EN")).rows
        every = list_page(s, ListFilters()).rows
    assert sorted(r["sender_id"] for r in zh) == ["switched", "zh-only"]
    assert sorted(r["sender_id"] for r in en) == ["en-only", "switched"]
    assert {r["sender_id"]: r["languages"] for r in every} == {
        "zh-only": ["zh"],
        "en-only": ["en"],
        "switched": ["en", "zh"],
    }


def test_analytics_per_language(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)
    stats = analytics.collect(cdb, days=30, now=T0 + 3600)
    counts = {row["lang"]: row["n"] for row in stats["languages"]}
    assert counts == {"zh": 2, "en": 2}


def test_list_page_filters_by_language(staff: Database) -> None:
    seed(staff)
    ingest_new_events(staff)
    client = TestClient(make_app(staff))
    login(client, ADMIN)
    page = client.get("/console/", params={"lang": "zh"})
    assert page.status_code == 200
    assert 'option value="zh" selected' in page.text
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr data-sender") == 2
    assert '<td class="lang"><span class="badge">en</span><span class="badge">zh</span>' in rows


def test_analytics_page_shows_languages(staff: Database) -> None:
    seed(staff)
    ingest_new_events(staff)
    client = TestClient(make_app(staff))
    login(client, ADMIN)
    page = client.get("/console/analytics", params={"days": 100000})
    assert page.status_code == 200
    table = page.text.split('<table id="languages">', 1)[1].split("</table>", 1)[0]
    assert "<tr><td>zh</td><td>2</td>" in table and "<tr><td>en</td><td>2</td>" in table
