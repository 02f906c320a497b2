"""The chat widget on a Chinese page, against the real assistant (issue 20, Tests).

The storefront's page is made a Chinese shop's page: ``<html lang="zh-CN">`` and no English
title of its own on the widget's script tag (a script run before the page's own; the store
itself is English). The widget must speak Chinese from its first label, send the page's
language as the prior of the greeting, show the assistant's Chinese greeting and quick
replies, and a question typed in Chinese must be answered in Chinese. The assistant's sentences
are read from the zh_CN catalog (``t``), never copied here; the one widget label checked (the
input's placeholder) is the widget's own zh string.
Screenshot: test-artifacts/screenshots/store-chat-zh.png (docs/img/widget-zh.png with
SHOPBOT_UPDATE_DOC_IMAGES=1, i.e. `make report`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from store_browser import DESKTOP, DialogWatch, chromium, publish_doc_image, screenshot
from test_store_chat import REPLY_TIMEOUT_MS, bot_count, send

from bot.texts import t, use_locale

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = "zh_CN"


# Run in the page before its own scripts: as the parser builds the store's page, it becomes a
# Chinese page (``<html lang="zh-CN">``) whose widget script tag has no English texts of the
# site's own (so the widget's labels are its own, in Chinese). Rewriting the HTML with
# ``page.route`` instead makes Chromium treat the page as public and block its connection to
# the loopback Rasa server (ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
CHINESE_PAGE = """
new MutationObserver(() => {
  const html = document.documentElement;
  if (html && html.lang !== "zh-CN") html.lang = "zh-CN";
  for (const script of document.querySelectorAll("script[data-title], script[data-subtitle]")) {
    script.removeAttribute("data-title");
    script.removeAttribute("data-subtitle");
  }
}).observe(document, { childList: true, subtree: true, attributes: true });
"""


def test_widget_on_a_chinese_page_speaks_chinese(running_stack: Any) -> None:
    store = running_stack.web_url + "/"
    with use_locale(ZH):
        greeting = t("utter.greet")
        quick_replies = [t("button.where_is_my_order"), t("button.return_item")]
        quick_replies.append(t("button.find_product"))
        identity_question = t("identify.ask.email")

    with chromium() as browser:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = context.new_page()
        dialogs = DialogWatch(page)
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text))

        page.add_init_script(CHINESE_PAGE)
        page.goto(store)
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        launcher = page.locator(".sb-launcher")
        assert HAN.search(launcher.inner_text() + (launcher.get_attribute("aria-label") or ""))
        launcher.click()
        try:
            page.locator(".sb-status.sb-online").wait_for(timeout=REPLY_TIMEOUT_MS)
        except Exception as exc:  # say why: the widget's status and the server's log
            screenshot(page, "store-chat-zh-offline.png")
            status = page.locator(".sb-status").inner_text()
            raise AssertionError(
                f"widget not online ({status}); console: {console}\n{running_stack.tail('rasa')}"
            ) from exc
        assert page.locator(".sb-panel").get_attribute("lang") == "zh-CN"
        assert page.locator(".sb-input").get_attribute("placeholder") == "请输入您的问题…"

        # The greeting and its quick replies, in Chinese from the assistant's catalog.
        page.locator(".sb-bot .sb-bubble").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        assert page.locator(".sb-bot .sb-bubble").first.inner_text().strip() == greeting
        buttons = page.locator(".sb-quick-btn").all_inner_texts()
        assert [b.strip() for b in buttons] == quick_replies, buttons

        # A question typed in Chinese, answered in Chinese: where is my parcel? first needs
        # to know who is asking.
        before = bot_count(page)
        send(page, "我想查一下我的快递到哪了")
        answers = page.locator(".sb-bot .sb-bubble").all_inner_texts()[before:]
        assert answers and all(HAN.search(a) for a in answers), answers
        assert any(identity_question in a for a in answers), answers
        page.wait_for_timeout(300)
        shot = screenshot(page, "store-chat-zh.png")
        publish_doc_image(shot, "widget-zh.png")
        assert dialogs.messages == []
        context.close()
