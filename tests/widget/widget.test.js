// Unit tests of the widget's pure parts: markdown parser, link filter, message normaliser and
// the renderers (run against a DOM shim). Run: node --test tests/widget/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { doc, serialize } = require("./dom_shim.js");

const W = require(path.join(__dirname, "../../bot/web/static/widget/widget.js"));

const XSS = "<img src=x onerror=alert(1)>";

function tagsIn(node) {
  return node.all().map((e) => e.tagName.toLowerCase());
}

test("safeHref keeps http(s) and same-site relative links only", () => {
  assert.equal(W.safeHref("https://shop.example/a?b=1"), "https://shop.example/a?b=1");
  assert.equal(W.safeHref("http://shop.example"), "http://shop.example");
  assert.equal(W.safeHref("/products/SB-P0001"), "/products/SB-P0001");
  assert.equal(W.safeHref("../x"), "../x");
  assert.equal(W.safeHref("#top"), "#top");
  for (const bad of [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "//evil.example/x",
    "/\\evil.example",
    "https:evil",
    "products/1",
    "",
    null,
    42,
  ]) {
    assert.equal(W.safeHref(bad), null, `should refuse ${JSON.stringify(bad)}`);
  }
});

test("markdown: bold, italics, links, line breaks and lists", () => {
  const blocks = W.parseMarkdown("Hello **Noah**, see *this*\nand [the shop](/products/1)\n\n- one\n- two\n1. first\n2. second");
  assert.equal(blocks.length, 3);
  assert.deepEqual(blocks[0], {
    t: "p",
    c: [
      { t: "text", v: "Hello " },
      { t: "b", c: [{ t: "text", v: "Noah" }] },
      { t: "text", v: ", see " },
      { t: "i", c: [{ t: "text", v: "this" }] },
      { t: "br" },
      { t: "text", v: "and " },
      { t: "a", href: "/products/1", c: [{ t: "text", v: "the shop" }] },
    ],
  });
  assert.equal(blocks[1].t, "ul");
  assert.equal(blocks[1].items.length, 2);
  assert.equal(blocks[2].t, "ol");
  assert.deepEqual(blocks[2].items[1], [{ t: "text", v: "second" }]);
});

test("markdown leaves snake_case ids and prices alone", () => {
  const blocks = W.parseMarkdown("Customer noah_brown_6181 paid $12.34 * 2");
  assert.deepEqual(blocks, [{ t: "p", c: [{ t: "text", v: "Customer noah_brown_6181 paid $12.34 * 2" }] }]);
});

test("markdown: unsafe link targets become plain text, bare URLs become links", () => {
  const blocks = W.parseMarkdown("[click](javascript:alert) or https://example.com/x.");
  assert.deepEqual(blocks[0].c, [
    { t: "text", v: "click or " },
    { t: "a", href: "https://example.com/x", c: [{ t: "text", v: "https://example.com/x" }] },
    { t: "text", v: "." },
  ]);
});

test("rendered bot text with HTML stays text (no element, no handler)", () => {
  const node = W.renderMarkdown(doc, `Look ${XSS} **bold ${XSS}**`);
  assert.deepEqual(tagsIn(node), ["div", "p", "strong"]);
  assert.equal(node.textContent, `Look ${XSS} bold ${XSS}`);
  const html = serialize(node);
  assert.ok(!html.includes("<img"), html);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"), html);
});

test("rendered links: javascript: never becomes an href; external links open safely", () => {
  const node = W.renderMarkdown(doc, "[a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](https://ok.example) [d](/p)");
  const links = node.find("a");
  assert.deepEqual(links.map((a) => a.getAttribute("href")), ["https://ok.example", "/p"]);
  assert.equal(links[0].getAttribute("rel"), "noopener noreferrer");
  assert.equal(links[0].getAttribute("target"), "_blank");
  assert.equal(links[1].getAttribute("target"), null);
  assert.ok(!serialize(node).toLowerCase().includes('href="javascript'));
});

test("user messages render verbatim as text", () => {
  const entry = { from: "user", ts: Date.UTC(2026, 0, 2, 3, 4), parts: [{ kind: "text", text: `**not bold** ${XSS}` }] };
  const node = W.renderEntry(doc, entry, {}, {});
  assert.equal(node.find("strong").length, 0);
  assert.equal(node.find("img").length, 0);
  assert.ok(node.textContent.includes(`**not bold** ${XSS}`));
  assert.equal(node.find("time").length, 1);
  assert.match(node.find("time")[0].getAttribute("datetime"), /^2026-01-02T03:04/);
});

test("normalise: text with quick replies from Rasa's socket.io channel", () => {
  const parts = W.normaliseBotMessage({
    text: "Pick one",
    quick_replies: [
      { content_type: "text", title: "Track order", payload: "/track_order" },
      { content_type: "text", title: "", payload: "/x" },
    ],
  });
  assert.deepEqual(parts, [
    { kind: "text", text: "Pick one" },
    { kind: "buttons", buttons: [{ title: "Track order", payload: "/track_order" }] },
  ]);
});

test("quick reply buttons call reply with the payload", () => {
  const clicked = [];
  const entry = { from: "bot", ts: 0, parts: W.normaliseBotMessage({ text: "Hi", quick_replies: [{ title: "Yes", payload: "/affirm" }] }) };
  const node = W.renderEntry(doc, entry, { reply: (b) => clicked.push(b) }, { showButtons: true });
  const buttons = node.byClass("sb-quick-btn");
  assert.equal(buttons.length, 1);
  assert.equal(buttons[0].textContent, "Yes");
  buttons[0].click();
  assert.deepEqual(clicked, [{ title: "Yes", payload: "/affirm" }]);
  const hidden = W.renderEntry(doc, entry, {}, { showButtons: false });
  assert.equal(hidden.byClass("sb-quick-btn").length, 0);
});

const CARD_PAYLOAD = {
  type: "product_cards",
  products: [
    { id: "SB-P0001", name: "Trail Shoe", price: "89.5", currency: "USD", available: true, url: "/products/SB-P0001", image: "/img/products/SB-P0001.svg", brand: "Acme", summary: "Light." },
    { id: "SB-P0002", name: XSS, price: "10.00", currency: "EUR", available: false, url: "javascript:alert(1)", image: "javascript:alert(2)" },
  ],
};

test("product cards: accepted in the socket.io {data: ...} and REST {custom: ...} shapes", () => {
  for (const shape of [CARD_PAYLOAD, { data: CARD_PAYLOAD }, { custom: CARD_PAYLOAD }, { custom: { data: CARD_PAYLOAD } }]) {
    const parts = W.normaliseBotMessage(shape);
    assert.equal(parts.length, 1);
    assert.equal(parts[0].kind, "products");
    assert.equal(parts[0].products.length, 2);
  }
});

test("product cards render image, name, price, availability, view link and ask button", () => {
  const asked = [];
  const [part] = W.normaliseBotMessage({ data: CARD_PAYLOAD });
  const list = W.renderProducts(doc, part.products, { ask: (p) => asked.push(p.id) });
  assert.equal(list.tagName, "UL");
  assert.equal(list.className, "sb-carousel");
  const cards = list.byClass("sb-card");
  assert.equal(cards.length, 2);
  const first = cards[0];
  assert.equal(first.find("img")[0].getAttribute("src"), "/img/products/SB-P0001.svg");
  assert.equal(first.byClass("sb-card-name")[0].textContent, "Trail Shoe");
  assert.equal(first.byClass("sb-card-price")[0].textContent, "$89.50");
  assert.equal(first.byClass("sb-avail")[0].textContent, "In stock");
  assert.equal(first.byClass("sb-card-view")[0].getAttribute("href"), "/products/SB-P0001");
  first.byClass("sb-card-ask")[0].click();
  assert.deepEqual(asked, ["SB-P0001"]);
  // The hostile card: name is text, the javascript: url falls back to the product page, no image.
  const second = cards[1];
  assert.equal(second.find("img").length, 0);
  assert.equal(second.byClass("sb-card-name")[0].textContent, XSS);
  assert.equal(second.byClass("sb-card-view")[0].getAttribute("href"), "/products/SB-P0002");
  assert.equal(second.byClass("sb-card-price")[0].textContent, "10.00 EUR");
  assert.equal(second.byClass("sb-avail")[0].textContent, "Out of stock");
  assert.ok(!serialize(list).includes("javascript:"));
});

test("a single product renders as a card, not a carousel", () => {
  const [part] = W.normaliseBotMessage({ data: { type: "product_cards", products: [CARD_PAYLOAD.products[0]] } });
  assert.equal(W.renderProducts(doc, part.products, {}).className, "sb-cards");
});

test("order summary renders id, status, items, total and tracking", () => {
  const parts = W.normaliseBotMessage({
    data: {
      type: "order_summary",
      order: { id: "#W2611340", status: "delivered", total: "146.5", items: [{ name: "Water Bottle", options: { capacity: "750ml" }, price: "46.5" }, { name: XSS, options: "", price: "100" }], tracking_ids: ["168643142864"] },
    },
  });
  assert.equal(parts[0].kind, "order");
  const node = W.renderOrder(doc, parts[0].order);
  const text = node.textContent;
  assert.ok(text.includes("Order #W2611340"));
  assert.ok(text.includes("delivered"));
  assert.ok(text.includes("Water Bottle (capacity: 750ml)"));
  assert.ok(text.includes("$46.50"));
  assert.ok(text.includes("Total $146.50"));
  assert.ok(text.includes("Tracking: 168643142864"));
  assert.equal(node.find("img").length, 0);
});

test("hand-off notices: given text or a default per state; unknown state is 'requested'", () => {
  assert.deepEqual(W.normaliseBotMessage({ data: { type: "handoff", state: "agent_joined", text: "" } }), [
    { kind: "handoff", state: "agent_joined", text: "A person has joined the conversation." },
  ]);
  const [custom] = W.normaliseBotMessage({ data: { type: "handoff", state: "nonsense", text: "Sam is here" } });
  assert.deepEqual(custom, { kind: "handoff", state: "requested", text: "Sam is here" });
  const node = W.renderEntry(doc, { from: "bot", ts: 0, parts: [custom] }, {}, {});
  assert.match(node.className, /sb-notice/);
  assert.equal(node.byClass("sb-handoff")[0].textContent, "Sam is here");
});

test("images only with safe sources; junk messages give nothing", () => {
  assert.deepEqual(W.normaliseBotMessage({ attachment: { type: "image", payload: { src: "https://x.example/a.png" } } }), [
    { kind: "image", src: "https://x.example/a.png" },
  ]);
  assert.deepEqual(W.normaliseBotMessage({ attachment: { type: "image", payload: { src: "javascript:alert(1)" } } }), []);
  assert.deepEqual(W.normaliseBotMessage(null), []);
  assert.deepEqual(W.normaliseBotMessage(42), []);
  assert.deepEqual(W.normaliseBotMessage({ text: { html: XSS } }), []);
});

test("formatPrice follows the money convention", () => {
  assert.equal(W.formatPrice("12.3", "USD"), "$12.30");
  assert.equal(W.formatPrice(5, undefined), "$5.00");
  assert.equal(W.formatPrice("7", "eur"), "7.00 EUR");
  assert.equal(W.formatPrice("n/a", "USD"), "n/a");
});

test("config: data attributes override window.ShopbotConfig which overrides defaults", () => {
  const script = { dataset: { server: "http://bot.example:5005", title: "Help", openOnLoad: "true", maxMessageChars: "500" } };
  const cfg = W.readConfig(script, { title: "ignored", primaryColor: "#123456", unknownKey: "x" });
  assert.equal(cfg.server, "http://bot.example:5005");
  assert.equal(cfg.title, "Help");
  assert.equal(cfg.primaryColor, "#123456");
  assert.equal(cfg.openOnLoad, true);
  assert.equal(cfg.maxMessageChars, 500);
  assert.equal(cfg.unknownKey, undefined);
  assert.equal(cfg.handoffPayload, "/contact_human_agent");
});

test("store survives broken storage and bad JSON", () => {
  const mem = new Map();
  const storage = { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => mem.set(k, v), removeItem: (k) => mem.delete(k) };
  const store = W.makeStore(storage, "p");
  store.set("history", [{ a: 1 }]);
  assert.deepEqual(store.get("history", []), [{ a: 1 }]);
  mem.set("p:history", "{not json");
  assert.deepEqual(store.get("history", []), []);
  const broken = W.makeStore({ getItem() { throw new Error("denied"); }, setItem() { throw new Error("full"); }, removeItem() {} }, "p");
  broken.set("x", 1);
  assert.equal(broken.get("x", "fallback"), "fallback");
});

test("a hand-off notice repeating the previous bot text shows the standard notice", () => {
  const text = "I'm handing this conversation to a member of our team.";
  const previous = { from: "bot", ts: 0, parts: [{ kind: "text", text }] };
  const parts = W.normaliseBotMessage({ type: "handoff", state: "requested", text });
  assert.deepEqual(W.dedupeHandoff(parts, previous), [
    { kind: "handoff", state: "requested", text: "We are finding a person to help you. Please stay in this chat." },
  ]);
  // Different text, or a previous message from the shopper: kept as sent.
  const other = W.normaliseBotMessage({ type: "handoff", state: "agent_joined", text: "Sam joined" });
  assert.deepEqual(W.dedupeHandoff(other, previous), other);
  assert.deepEqual(W.dedupeHandoff(parts, { from: "user", ts: 0, parts: [{ kind: "text", text }] }), parts);
});

test("a staff member's message is a person's: labelled 'Support team', styled apart", () => {
  const parts = W.normaliseBotMessage({ type: "agent_message", text: "Hi, Sam here", from: "Support team" });
  assert.deepEqual(parts, [{ kind: "text", text: "Hi, Sam here", person: "Support team" }]);
  const node = W.renderEntry(doc, { from: "agent", ts: 0, parts }, {}, {});
  assert.match(node.className, /sb-agent/);
  assert.doesNotMatch(node.className, /sb-bot/);
  assert.equal(node.byClass("sb-from")[0].textContent, "Support team");
  assert.ok(!serialize(node).includes("Assistant: "));
  // without a name the label is still a person's; an empty message gives nothing
  assert.equal(W.normaliseBotMessage({ data: { type: "agent_message", text: "ok" } })[0].person, "Support team");
  assert.deepEqual(W.normaliseBotMessage({ type: "agent_message", text: "  " }), []);
});

test("labels in both languages from one table: same keys, page language picks, English fallback", () => {
  assert.deepEqual(Object.keys(W.STRINGS.zh).sort(), Object.keys(W.STRINGS.en).sort());
  assert.equal(W.widgetLanguage("zh-CN"), "zh");
  assert.equal(W.widgetLanguage("zh_Hans"), "zh");
  assert.equal(W.widgetLanguage("fr"), "en");
  assert.equal(W.widgetLanguage(""), "en");
  assert.equal(W.stringsFor("zh").placeholder, "请输入您的问题…");
  assert.equal(W.stringsFor("de").placeholder, "Type your message…");
});

test("the bot's language is read from its text; ids and emoji say nothing", () => {
  assert.equal(W.spokenLanguage("您好！请问有什么可以帮您？"), "zh");
  assert.equal(W.spokenLanguage("订单 #S1000029 已发货"), "zh");
  assert.equal(W.spokenLanguage("Your order has shipped."), "en");
  assert.equal(W.spokenLanguage("#S1000029 👍"), null);
});

test("cards, orders and hand-off notices in Chinese", () => {
  const [part] = W.normaliseBotMessage({ data: CARD_PAYLOAD });
  const zh = W.stringsFor("zh");
  const list = W.renderProducts(doc, part.products, {}, zh);
  assert.equal(list.byClass("sb-avail")[0].textContent, "有货");
  assert.equal(list.byClass("sb-card-ask")[0].textContent, "咨询这件商品");
  const [notice] = W.normaliseBotMessage({ type: "handoff", state: "requested", text: "" }, zh);
  assert.equal(notice.text, "正在为您转接人工客服，请不要离开本对话。");
  const entry = { from: "user", ts: 0, parts: [{ kind: "text", text: "你好" }] };
  assert.equal(W.renderEntry(doc, entry, {}, { texts: zh }).byClass("sb-sr")[0].textContent, "您说：");
});

test("a payload's prior travels as its language entity; texts and payloads with entities unchanged", () => {
  assert.equal(W.withPrior("/greet", "zh"), '/greet{"language":"zh"}');
  assert.equal(W.withPrior("/greet", undefined), "/greet");
  assert.equal(W.withPrior('/inform{"order_id":"#W1"}', "zh"), '/inform{"order_id":"#W1"}');
  assert.equal(W.withPrior("你好", "zh"), "你好");
});
