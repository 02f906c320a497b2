"""Staff console in Debian's Chromium: login, filter, open, reveal (audited), tag, export,
save-as-test. Served by the lead's ``create_app()`` on a free port over a SQLite file that
holds generated Rasa events. Screenshots go to test-artifacts/screenshots/ and, with
SHOPBOT_UPDATE_DOC_IMAGES=1 (`make report`), the README picture to docs/img/console.png."""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot import schema
from bot.bootstrap import Services
from bot.console.auth import add_staff
from bot.console.demo import Script, random_script, write_script
from bot.console.models import AuditEntry, IntentCorrection
from bot.console.pseudonym import conversation_ref
from bot.db.events import create_rasa_events_table
from bot.db.session import Database
from bot.settings import Settings
from bot.web.app import create_app
from tests.browser.store_browser import (
    chromium,
    publish_doc_image,
    screenshot,
    serve,
)

pytestmark = pytest.mark.browser
ADMIN = ("lead@shop.test", "browser-admin-pw")


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    path = tmp_path_factory.mktemp("console") / "console.db"
    db = Database(f"sqlite:///{path}")
    schema.create_all(db)
    create_rasa_events_table(db.engine)
    now = time.time()
    rng = random.Random(3)
    for i in range(60):
        write_script(db, random_script(rng, i, now - 86400 * 3 - i * 600))
    write_script(
        db,
        Script("shopper-ann", now - 3600)
        .user(
            "Where is order #W2611340? I'm ann.lee@example.com", "track_order", 0.91, sentiment=-0.2
        )
        .slot("customer_id", "ann_lee_1111")
        .slot("email", "ann.lee@example.com")
        .action("action_order_status")
        .bot(
            "Order #W2611340 is on its way.",
            metadata={"facts": ["#W2611340 shipped 2026-11-27"], "grounding": {"passed": True}},
        )
        .user("can I swap the size", "change_order", 0.48)
        .action("action_fallback")
        .bot("Sorry, could you rephrase?"),
    )
    write_script(
        db,
        Script("shopper-bob", now - 1800)
        .user("this is hopeless, get me a human", "contact_human_agent", 0.95, sentiment=-0.8)
        .slot("handoff_requested", True)
        .action("action_handoff")
        .bot("Connecting you to a person."),
    )
    add_staff(db, *ADMIN, role="admin")
    app = create_app(Services(Settings(database_url=f"sqlite:///{path}"), database=db))
    with serve(app) as url:
        yield url, db
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _login(browser: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/console/")
    assert page.url.endswith("/console/login")
    page.fill("input[name=email]", ADMIN[0])
    page.fill("input[name=password]", ADMIN[1])
    page.click("button[type=submit]")
    page.wait_for_selector("#conversations")
    return page


def test_login_rejects_wrong_password_then_lists(
    console: tuple[str, Database], browser: Any
) -> None:
    url, _ = console
    page = browser.new_page()
    page.goto(f"{url}/console/login")
    page.fill("input[name=email]", ADMIN[0])
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong e-mail or password" in page.inner_text("[role=alert]")
    screenshot(page, "console-login.png")
    page.close()
    page = _login(browser, url)
    rows = page.locator("#conversations tbody tr")
    assert rows.count() == 50  # one page
    assert page.locator("#next-page").count() == 1
    assert rows.first.get_attribute("data-sender") == conversation_ref("shopper-bob")
    screenshot(page, "console-list.png")
    page.click("#next-page")
    assert page.locator("#conversations tbody tr").count() == 12
    page.context.close()


def test_filter_open_reveal_tag(console: tuple[str, Database], browser: Any) -> None:
    url, db = console
    page = _login(browser, url)
    page.select_option("select[name=handoff]", "yes")
    page.fill("input[name=q]", "human")
    page.click("#filters button[type=submit]")
    senders = [
        r.get_attribute("data-sender") for r in page.locator("#conversations tbody tr").all()
    ]
    assert senders == [conversation_ref("shopper-bob")]

    page.goto(f"{url}/console/?order_id=W2611340")
    page.click("#conversations tbody tr a")
    page.wait_for_selector("#turns")
    body = page.inner_text("#turns")
    assert "track_order" in body and "0.91" in body and "action_order_status" in body
    assert "#W2611340 shipped" in body and "passed" in body and "latency" in body
    assert "ann.lee@example.com" not in page.content() and "[email]" in body
    publish_doc_image(screenshot(page, "console-conversation-masked.png"), "console.png")

    page.click("#reveal")
    page.wait_for_selector("#revealed")
    assert "ann.lee@example.com" in page.inner_text("#turns")
    screenshot(page, "console-conversation-revealed.png")
    with db.session() as s:
        trail = [(a.action, a.sender_id, a.staff_email) for a in s.scalars(select(AuditEntry))]
    assert ("reveal", "shopper-ann", ADMIN[0]) in trail
    assert not any(action == "open" for action, _, _ in trail)  # reading masked: not audited

    page.fill("#tags", "size-issue, training")
    page.click("#save-tags")
    page.wait_for_selector(".badge.tag")
    assert sorted(page.locator(".badge.tag").all_inner_texts()) == ["size-issue", "training"]
    page.goto(f"{url}/console/?tag=training")
    senders = [
        r.get_attribute("data-sender") for r in page.locator("#conversations tbody tr").all()
    ]
    assert senders == [conversation_ref("shopper-ann")]
    page.goto(f"{url}/console/audit")
    assert "reveal" in page.inner_text("#audit")
    page.context.close()


def test_export_and_save_as_test(
    console: tuple[str, Database], browser: Any, tmp_path: Path
) -> None:
    url, _ = console
    page = _login(browser, url)
    page.goto(f"{url}/console/?fallback=yes")
    expected = {
        r.get_attribute("data-sender") for r in page.locator("#conversations tbody tr").all()
    }
    with page.expect_download() as info:
        page.click("#export-csv")
    text = Path(info.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["ref"] for r in rows} >= expected and conversation_ref("shopper-ann") in expected
    assert all(r["fell_back"] == "True" for r in rows)
    assert "ann.lee@example.com" not in text

    page.goto(f"{url}/console/?order_id=W2611340")
    page.click("#conversations tbody tr a")
    with page.expect_download() as info:
        page.click("#save-as-test")
    story = yaml.safe_load(Path(info.value.path()).read_text())
    steps = story["stories"][0]["steps"]
    assert steps[0]["intent"] == "track_order" and {"action": "action_order_status"} in steps
    page.context.close()


def test_analytics_charts_render(console: tuple[str, Database], browser: Any) -> None:
    url, _ = console
    page = _login(browser, url)
    page.goto(f"{url}/console/analytics?days=30")
    numbers = page.inner_text("#numbers")
    assert "Conversations: 62" in numbers and "Latency p50/p95" in numbers
    for figure in ("Resolution", "Containment", "Hand-off rate", "Fallback rate", "Error rate"):
        assert figure in numbers
    # The breakdowns a person reads: by task, hand-off reasons, fallback by intent, endings.
    assert "status" in page.inner_text("#tasks") and "question" in page.inner_text("#tasks")
    assert "asked" in page.inner_text("#handoff-reasons")
    assert "unknown" in page.inner_text("#fallback-intents")
    assert "abandoned" in page.inner_text("#outcomes")
    images = page.locator(".charts img")
    assert images.count() == 7
    page.wait_for_function(
        "() => [...document.querySelectorAll('.charts img')]"
        ".every(i => i.complete && i.naturalWidth > 300)"
    )
    page.set_viewport_size({"width": 1360, "height": 2300})
    publish_doc_image(screenshot(page, "console-analytics.png"), "console-analytics.png")
    page.context.close()


def test_a_correction_outside_the_domain_is_refused(
    console: tuple[str, Database], browser: Any
) -> None:
    """A reviewer who types an intent the model does not know sees why, and nothing is kept."""
    url, db = console
    page = _login(browser, url)
    page.goto(f"{url}/console/?order_id=W2611340")
    page.click("#conversations tbody tr a")
    page.wait_for_selector("#turns")
    form = page.locator("form[action$='/correct']").last
    form.locator("input[name=intent]").fill("check_return_policy")
    with page.expect_response(lambda r: r.url.endswith("/correct")) as answer:
        form.locator("button").click()
    assert answer.value.status == 422
    assert "not one the assistant was trained on" in page.inner_text("[role=alert]")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(IntentCorrection)) == 0
    form = page.locator("form[action$='/correct']").last
    form.locator("input[name=intent]").fill("change_order")
    form.locator("button").click()
    page.wait_for_selector(".corrected")
    assert page.locator(".corrected").last.inner_text() == "change_order"
    page.context.close()
