/*!
 * shopbot chat widget — plain ES2020, no build step, no framework.
 *
 * Embed with one tag:
 *   <script src="/static/widget/widget.js" data-server="https://bot.example.com"
 *           data-title="Help" data-primary-color="#2f5d50"></script>
 * or define `window.ShopbotConfig = {server: ..., title: ...}` before the tag.
 *
 * Talks to Rasa's Socket.IO channel (events user_uttered / bot_uttered, session_request /
 * session_confirm, session persistence). Everything the bot or the shopper wrote is put into the
 * page with DOM APIs and text nodes, never as HTML. The pure parts (markdown parser, link
 * filter, message normaliser, renderers that take a `document`) are exported for node tests.
 */
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  }
  root.ShopbotWidget = api;
  if (typeof window !== "undefined" && typeof document !== "undefined" && !root.ShopbotWidgetNoAutoStart) {
    api.autoStart(document.currentScript);
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Pure helpers

  const DEFAULTS = {
    server: "",
    socketPath: "/socket.io/",
    // Empty labels come from STRINGS in the conversation's language; a site may set its own.
    title: "",
    subtitle: "",
    launcherLabel: "",
    placeholder: "",
    primaryColor: "#2f5d50",
    primaryTextColor: "#ffffff",
    initPayload: "/greet",
    handoffPayload: "/contact_human_agent",
    handoffLabel: "",
    // The page's language ("zh", "en", "zh-CN"); empty: the page's <html lang>.
    lang: "",
    customerToken: "",
    maxMessageChars: 2000,
    historyLimit: 200,
    storagePrefix: "shopbot:v1",
    openOnLoad: false,
  };

  // Every label the widget writes itself, per language (the bot's own messages, quick replies
  // and cards arrive already in the shopper's language). English is the fallback of a missing key.
  const STRINGS = {
    en: {
      title: "Chat with us",
      launcherLabel: "Chat",
      openChat: "Open chat: ",
      placeholder: "Type your message…",
      handoffLabel: "Talk to a person",
      newConversation: "New conversation",
      newConversationTitle: "Start a new conversation",
      closeChat: "Close chat",
      conversation: "Conversation",
      typing: "The assistant is typing",
      yourMessage: "Your message",
      send: "Send",
      youSaid: "You said: ",
      assistant: "Assistant: ",
      sending: "sending",
      connecting: "Connecting…",
      online: "Online",
      reconnecting: "Reconnecting…",
      offline: "Offline — retrying",
      waitingForPerson: "Waiting for a person",
      chattingWith: "Chatting with ",
      person: "Support team",
      products: " products",
      product: "Product",
      inStock: "In stock",
      outOfStock: "Out of stock",
      view: "View",
      viewPrefix: "View ",
      ask: "Ask about this",
      askAbout: "Ask about ",
      tellMeMore: "Tell me more about ",
      order: "Order ",
      total: "Total ",
      tracking: "Tracking: ",
      suggestedReplies: "Suggested replies",
      handoff_requested: "We are finding a person to help you. Please stay in this chat.",
      handoff_agent_joined: "A person has joined the conversation.",
      handoff_returned: "You are chatting with the assistant again.",
    },
    zh: {
      title: "在线客服",
      launcherLabel: "咨询",
      openChat: "打开聊天：",
      placeholder: "请输入您的问题…",
      handoffLabel: "转人工客服",
      newConversation: "新对话",
      newConversationTitle: "开始新的对话",
      closeChat: "关闭聊天",
      conversation: "对话",
      typing: "客服正在输入",
      yourMessage: "您的消息",
      send: "发送",
      youSaid: "您说：",
      assistant: "智能客服：",
      sending: "发送中",
      connecting: "连接中…",
      online: "在线",
      reconnecting: "重新连接中…",
      offline: "已断开，正在重试",
      waitingForPerson: "正在为您转接人工客服",
      chattingWith: "正在与您对话：",
      person: "人工客服",
      products: " 件商品",
      product: "商品",
      inStock: "有货",
      outOfStock: "缺货",
      view: "查看",
      viewPrefix: "查看 ",
      ask: "咨询这件商品",
      askAbout: "咨询 ",
      tellMeMore: "请详细介绍一下 ",
      order: "订单 ",
      total: "合计 ",
      tracking: "物流单号：",
      suggestedReplies: "推荐回复",
      handoff_requested: "正在为您转接人工客服，请不要离开本对话。",
      handoff_agent_joined: "人工客服已加入对话。",
      handoff_returned: "您已回到智能客服。",
    },
  };

  /** A language code ("zh-CN", "zh_Hans", "EN") to one STRINGS has, else "en". */
  function widgetLanguage(code) {
    const lang = String(code || "").trim().toLowerCase().split(/[-_]/)[0];
    return Object.prototype.hasOwnProperty.call(STRINGS, lang) ? lang : "en";
  }

  /** The labels of a language, English for any key it lacks. */
  function stringsFor(lang) {
    return Object.assign({}, STRINGS.en, STRINGS[widgetLanguage(lang)]);
  }

  const HAN_RE = /[\u3400-\u4dbf\u4e00-\u9fff]/;
  const LATIN_RE = /[A-Za-z]{2,}/;

  /** The language the bot is speaking in a message ("zh" when it writes Chinese), or null. */
  function spokenLanguage(text) {
    const value = String(text || "");
    if (HAN_RE.test(value)) return "zh";
    return LATIN_RE.test(value) ? "en" : null;
  }

  const EN = STRINGS.en;

  /** A link target the widget is willing to follow: http(s) or same-site relative, else null. */
  function safeHref(href) {
    if (typeof href !== "string") return null;
    const url = href.trim();
    if (!url || url.length > 2000) return null;
    // Browsers drop tabs/newlines inside URLs ("java\tscript:"), so refuse any control char,
    // whitespace or backslash ("/\evil.example" is read as "//evil.example").
    if (/[\u0000-\u0020\u007f-\u009f\\]/.test(url)) return null;
    if (/^https?:\/\/[^/]/i.test(url)) return url;
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return null; // javascript:, data:, vbscript:, ...
    if (url.startsWith("//")) return null; // protocol-relative: another host
    if (/^(\/|\.\.?\/|#|\?)/.test(url)) return url;
    return null;
  }

  const INLINE_RE =
    /\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)|\*\*([^*\n]+?)\*\*|\*([^*\s](?:[^*\n]*?[^*\s])?)\*|(^|[^\w])_([^_\n]+?)_(?!\w)|(https?:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?])/g;

  /** Inline markdown (bold, italics, links, bare URLs) to a token list; text stays text. */
  function parseInline(text) {
    const out = [];
    const source = String(text);
    let last = 0;
    const re = new RegExp(INLINE_RE.source, "g"); // own lastIndex: this function recurses
    let m;
    const pushText = (value) => {
      if (!value) return;
      const prev = out[out.length - 1];
      if (prev && prev.t === "text") prev.v += value;
      else out.push({ t: "text", v: value });
    };
    while ((m = re.exec(source)) !== null) {
      pushText(source.slice(last, m.index));
      if (m[1] !== undefined) {
        const href = safeHref(m[2]);
        if (href) out.push({ t: "a", href, c: parseInline(m[1]) });
        else pushText(m[1]);
      } else if (m[3] !== undefined) {
        out.push({ t: "b", c: parseInline(m[3]) });
      } else if (m[4] !== undefined) {
        out.push({ t: "i", c: parseInline(m[4]) });
      } else if (m[6] !== undefined) {
        pushText(m[5]);
        out.push({ t: "i", c: parseInline(m[6]) });
      } else if (m[7] !== undefined) {
        out.push({ t: "a", href: m[7], c: [{ t: "text", v: m[7] }] });
      }
      last = re.lastIndex;
    }
    pushText(source.slice(last));
    return out;
  }

  const BULLET_RE = /^\s*[-*•]\s+(.*)$/;
  const NUMBERED_RE = /^\s*\d{1,3}[.)]\s+(.*)$/;

  /** Markdown subset to blocks: paragraphs (line breaks kept) and bulleted/numbered lists. */
  function parseMarkdown(text) {
    const blocks = [];
    let para = null;
    let list = null;
    const lines = String(text == null ? "" : text).replace(/\r\n?/g, "\n").split("\n");
    for (const line of lines) {
      const bullet = BULLET_RE.exec(line);
      const numbered = bullet ? null : NUMBERED_RE.exec(line);
      if (bullet || numbered) {
        const kind = bullet ? "ul" : "ol";
        if (!list || list.t !== kind) {
          list = { t: kind, items: [] };
          blocks.push(list);
        }
        list.items.push(parseInline((bullet || numbered)[1]));
        para = null;
      } else if (line.trim() === "") {
        para = null;
        list = null;
      } else {
        list = null;
        if (!para) {
          para = { t: "p", c: [] };
          blocks.push(para);
        } else {
          para.c.push({ t: "br" });
        }
        para.c.push(...parseInline(line));
      }
    }
    return blocks;
  }

  function asText(value, max) {
    if (value === null || value === undefined) return "";
    const s = typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
    return max && s.length > max ? s.slice(0, max) + "…" : s;
  }

  /** "$12.34" for USD (docs/widget.md, "Custom payloads"), "12.34 EUR" otherwise; unparseable prices are shown as given. */
  function formatPrice(price, currency) {
    const cur = asText(currency || "USD").toUpperCase();
    const n = Number(price);
    if (price === "" || price === null || price === undefined || !Number.isFinite(n)) {
      return asText(price);
    }
    const fixed = n.toFixed(2);
    return cur === "USD" ? "$" + fixed : fixed + " " + cur;
  }

  function cleanProduct(p) {
    if (!p || typeof p !== "object") return null;
    const id = asText(p.id, 60);
    const name = asText(p.name, 200);
    if (!name) return null;
    return {
      id,
      name,
      price: p.price === undefined || p.price === null ? "" : asText(p.price, 30),
      currency: asText(p.currency, 3) || "USD",
      available: p.available !== false,
      url: safeHref(p.url) || (id ? "/products/" + encodeURIComponent(id) : null),
      image: safeHref(p.image),
      brand: asText(p.brand, 120),
      summary: asText(p.summary, 300),
    };
  }

  function cleanOrder(o) {
    if (!o || typeof o !== "object") return null;
    const items = Array.isArray(o.items) ? o.items : [];
    return {
      id: asText(o.id, 40),
      status: asText(o.status, 40),
      total: o.total === undefined || o.total === null ? "" : asText(o.total, 30),
      currency: asText(o.currency, 3) || "USD",
      items: items.slice(0, 50).map((it) => ({
        name: asText(it && it.name, 200),
        options:
          it && it.options && typeof it.options === "object"
            ? Object.entries(it.options)
                .map(([k, v]) => asText(k, 40) + ": " + asText(v, 80))
                .join(", ")
            : asText(it && it.options, 200),
        price: it && it.price !== undefined && it.price !== null ? asText(it.price, 30) : "",
      })),
      tracking: (Array.isArray(o.tracking_ids) ? o.tracking_ids : []).map((t) => asText(t, 60)).filter(Boolean),
    };
  }

  function customPayload(data) {
    // Rasa's socket.io channel emits custom JSON as-is; actions send {"data": {...}} (the only
    // shape that channel can emit) and the REST channel wraps it in "custom".
    if (data && typeof data === "object") {
      if (typeof data.type === "string") return data;
      if (data.data && typeof data.data === "object" && typeof data.data.type === "string") return data.data;
      if (data.custom && typeof data.custom === "object") return customPayload(data.custom);
    }
    return null;
  }

  /**
   * The first message with the page's language as its prior. Rasa reads an intent payload
   * ("/greet") without the NLU pipeline, so its prior travels as the payload's `language`
   * entity ('/greet{"language":"zh"}'); a text's prior is `metadata.lang` (docs/widget.md).
   */
  function withPrior(message, lang) {
    if (!lang || !/^\/[A-Za-z_][\w-]*$/.test(message)) return message;
    return message + JSON.stringify({ language: lang });
  }

  /** The language the bot speaks in one bot_uttered event (its text), or null. */
  function botLanguage(data) {
    if (typeof data === "string") return spokenLanguage(data);
    if (!data || typeof data !== "object") return null;
    const custom = customPayload(data);
    if (custom && custom.type === "agent_message") return null; // a person may write either
    return spokenLanguage(custom ? custom.text : data.text);
  }

  /** One bot_uttered event to a list of plain parts the renderer (and the history) understand. */
  function normaliseBotMessage(data, texts) {
    const T = texts || EN;
    const parts = [];
    if (typeof data === "string") {
      if (data.trim()) parts.push({ kind: "text", text: data });
      return parts;
    }
    if (!data || typeof data !== "object") return parts;
    const custom = customPayload(data);
    if (custom) {
      if (custom.type === "product_cards" && Array.isArray(custom.products)) {
        const products = custom.products.slice(0, 20).map(cleanProduct).filter(Boolean);
        if (custom.text) parts.push({ kind: "text", text: asText(custom.text, 4000) });
        if (products.length) parts.push({ kind: "products", products });
      } else if (custom.type === "order_summary") {
        const order = cleanOrder(custom.order);
        if (order) parts.push({ kind: "order", order });
      } else if (custom.type === "agent_message") {
        const text = asText(custom.text, 4000);
        if (text.trim()) parts.push({ kind: "text", text, person: asText(custom.from, 60) || T.person });
      } else if (custom.type === "handoff") {
        const state = ["requested", "agent_joined", "returned"].includes(custom.state) ? custom.state : "requested";
        parts.push({ kind: "handoff", state, text: asText(custom.text, 500) || T["handoff_" + state] });
      } else if (typeof custom.text === "string") {
        parts.push({ kind: "text", text: asText(custom.text, 4000) });
      }
      return parts;
    }
    if (typeof data.text === "string" && data.text.trim()) {
      parts.push({ kind: "text", text: asText(data.text, 4000) });
    }
    const buttons = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
    const cleanButtons = buttons
      .map((b) => ({ title: asText(b && b.title, 80), payload: asText(b && b.payload, 500) }))
      .filter((b) => b.title && b.payload);
    if (cleanButtons.length) parts.push({ kind: "buttons", buttons: cleanButtons.slice(0, 12) });
    const att = data.attachment;
    if (att && typeof att === "object" && att.type === "image" && att.payload) {
      const src = safeHref(att.payload.src);
      if (src) parts.push({ kind: "image", src });
    }
    return parts;
  }

  /**
   * A hand-off notice that repeats the bot's previous text word for word (actions often send
   * both) shows the short standard notice instead, so the shopper does not read it twice.
   */
  function dedupeHandoff(parts, previous, texts) {
    const T = texts || EN;
    if (!previous || previous.from !== "bot") return parts;
    const said = new Set(previous.parts.filter((p) => p.kind === "text").map((p) => p.text.trim()));
    return parts.map((p) =>
      p.kind === "handoff" && said.has(p.text.trim()) ? Object.assign({}, p, { text: T["handoff_" + p.state] }) : p
    );
  }

  // ---------------------------------------------------------------------------------------
  // Renderers: take a `doc` with createElement/createTextNode; set text only via text nodes.

  function el(doc, tag, className, attrs) {
    const node = doc.createElement(tag);
    if (className) node.setAttribute("class", className);
    if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function textEl(doc, tag, className, text) {
    const node = el(doc, tag, className);
    node.appendChild(doc.createTextNode(text));
    return node;
  }

  function renderInline(doc, tokens, parent) {
    for (const tok of tokens) {
      if (tok.t === "text") parent.appendChild(doc.createTextNode(tok.v));
      else if (tok.t === "br") parent.appendChild(doc.createElement("br"));
      else if (tok.t === "b" || tok.t === "i") {
        const node = doc.createElement(tok.t === "b" ? "strong" : "em");
        renderInline(doc, tok.c, node);
        parent.appendChild(node);
      } else if (tok.t === "a") {
        const href = safeHref(tok.href);
        if (!href) {
          renderInline(doc, tok.c, parent);
          continue;
        }
        const a = el(doc, "a", "sb-link", { href });
        if (/^https?:/i.test(href)) {
          a.setAttribute("target", "_blank");
          a.setAttribute("rel", "noopener noreferrer");
        }
        renderInline(doc, tok.c, a);
        parent.appendChild(a);
      }
    }
    return parent;
  }

  function renderMarkdown(doc, text) {
    const wrap = el(doc, "div", "sb-text");
    for (const block of parseMarkdown(text)) {
      if (block.t === "p") wrap.appendChild(renderInline(doc, block.c, doc.createElement("p")));
      else {
        const list = doc.createElement(block.t);
        for (const item of block.items) list.appendChild(renderInline(doc, item, doc.createElement("li")));
        wrap.appendChild(list);
      }
    }
    return wrap;
  }

  /** Product cards (a horizontal carousel when there are several). */
  function renderProducts(doc, products, actions, texts) {
    const T = texts || EN;
    const list = el(doc, "ul", products.length > 1 ? "sb-carousel" : "sb-cards", {
      "aria-label": products.length > 1 ? products.length + T.products : T.product,
    });
    for (const p of products) {
      const li = el(doc, "li", "sb-card");
      if (p.image) li.appendChild(el(doc, "img", "sb-card-img", { src: p.image, alt: "", loading: "lazy" }));
      li.appendChild(textEl(doc, "p", "sb-card-name", p.name));
      if (p.brand) li.appendChild(textEl(doc, "p", "sb-card-brand", p.brand));
      const row = el(doc, "p", "sb-card-row");
      if (p.price !== "") row.appendChild(textEl(doc, "span", "sb-card-price", formatPrice(p.price, p.currency)));
      row.appendChild(textEl(doc, "span", p.available ? "sb-avail sb-in" : "sb-avail sb-out", p.available ? T.inStock : T.outOfStock));
      li.appendChild(row);
      if (p.summary) li.appendChild(textEl(doc, "p", "sb-card-summary", p.summary));
      const actionsRow = el(doc, "div", "sb-card-actions");
      if (p.url) {
        const view = textEl(doc, "a", "sb-card-view", T.view);
        view.setAttribute("href", p.url);
        view.setAttribute("aria-label", T.viewPrefix + p.name);
        actionsRow.appendChild(view);
      }
      const ask = textEl(doc, "button", "sb-card-ask", T.ask);
      ask.setAttribute("type", "button");
      ask.setAttribute("aria-label", T.askAbout + p.name);
      if (actions && actions.ask) ask.addEventListener("click", () => actions.ask(p));
      actionsRow.appendChild(ask);
      li.appendChild(actionsRow);
      list.appendChild(li);
    }
    return list;
  }

  function renderOrder(doc, order, texts) {
    const T = texts || EN;
    const box = el(doc, "div", "sb-order", { role: "group", "aria-label": T.order + order.id });
    const head = el(doc, "p", "sb-order-head");
    head.appendChild(textEl(doc, "strong", "", T.order + order.id));
    if (order.status) head.appendChild(textEl(doc, "span", "sb-order-status", order.status));
    box.appendChild(head);
    if (order.items.length) {
      const ul = el(doc, "ul", "sb-order-items");
      for (const it of order.items) {
        const li = el(doc, "li");
        li.appendChild(textEl(doc, "span", "sb-order-item", it.name + (it.options ? " (" + it.options + ")" : "")));
        if (it.price !== "") li.appendChild(textEl(doc, "span", "sb-order-price", formatPrice(it.price, order.currency)));
        ul.appendChild(li);
      }
      box.appendChild(ul);
    }
    if (order.total !== "") box.appendChild(textEl(doc, "p", "sb-order-total", T.total + formatPrice(order.total, order.currency)));
    if (order.tracking.length) box.appendChild(textEl(doc, "p", "sb-order-tracking", T.tracking + order.tracking.join(", ")));
    return box;
  }

  function renderButtons(doc, buttons, actions, texts) {
    const row = el(doc, "div", "sb-quick", { role: "group", "aria-label": (texts || EN).suggestedReplies });
    for (const b of buttons) {
      const btn = textEl(doc, "button", "sb-quick-btn", b.title);
      btn.setAttribute("type", "button");
      if (actions && actions.reply) btn.addEventListener("click", () => actions.reply(b));
      row.appendChild(btn);
    }
    return row;
  }

  function renderHandoff(doc, part) {
    return textEl(doc, "p", "sb-handoff sb-handoff-" + part.state, part.text);
  }

  function formatTime(ts) {
    const d = new Date(ts);
    if (Number.isNaN(d.getTime())) return "";
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  /** One history entry ({from, ts, parts, pending}) to a message element. */
  function renderEntry(doc, entry, actions, options) {
    const opts = options || {};
    const T = opts.texts || EN;
    const isNotice = entry.parts.length === 1 && entry.parts[0].kind === "handoff";
    const item = el(doc, "div", "sb-msg sb-" + entry.from + (isNotice ? " sb-notice" : "") + (entry.pending ? " sb-pending" : ""));
    const person = entry.from === "agent" ? (entry.parts.find((p) => p.person) || {}).person || T.person : "";
    if (person) item.appendChild(textEl(doc, "span", "sb-from", person));
    else if (!isNotice) item.appendChild(textEl(doc, "span", "sb-sr", entry.from === "user" ? T.youSaid : T.assistant));
    for (const part of entry.parts) {
      if (part.kind === "text") {
        const bubble = el(doc, "div", "sb-bubble");
        bubble.appendChild(entry.from === "user" ? textEl(doc, "p", "", part.text) : renderMarkdown(doc, part.text));
        item.appendChild(bubble);
      } else if (part.kind === "products") item.appendChild(renderProducts(doc, part.products, actions, T));
      else if (part.kind === "order") item.appendChild(renderOrder(doc, part.order, T));
      else if (part.kind === "handoff") item.appendChild(renderHandoff(doc, part));
      else if (part.kind === "image") item.appendChild(el(doc, "img", "sb-image", { src: part.src, alt: "" }));
      else if (part.kind === "buttons" && opts.showButtons) item.appendChild(renderButtons(doc, part.buttons, actions, T));
    }
    const time = textEl(doc, "time", "sb-time", formatTime(entry.ts) + (entry.pending ? " · " + T.sending : ""));
    time.setAttribute("datetime", new Date(entry.ts).toISOString());
    item.appendChild(time);
    return item;
  }

  // ---------------------------------------------------------------------------------------
  // Configuration and storage

  function readConfig(script, globalConfig) {
    const cfg = Object.assign({}, DEFAULTS);
    if (globalConfig && typeof globalConfig === "object") {
      for (const key of Object.keys(DEFAULTS)) if (globalConfig[key] !== undefined) cfg[key] = globalConfig[key];
    }
    if (script && script.dataset) {
      const d = script.dataset;
      for (const key of Object.keys(DEFAULTS)) {
        if (d[key] !== undefined) {
          cfg[key] = typeof DEFAULTS[key] === "boolean" ? d[key] === "true" : typeof DEFAULTS[key] === "number" ? Number(d[key]) || DEFAULTS[key] : d[key];
        }
      }
    }
    if (!cfg.server && typeof location !== "undefined") cfg.server = location.protocol + "//" + location.hostname + ":5005";
    return cfg;
  }

  function makeStore(storage, prefix) {
    const key = (name) => prefix + ":" + name;
    return {
      get(name, fallback) {
        try {
          const raw = storage && storage.getItem(key(name));
          return raw === null || raw === undefined ? fallback : JSON.parse(raw);
        } catch (_e) {
          return fallback;
        }
      },
      set(name, value) {
        try {
          if (storage) storage.setItem(key(name), JSON.stringify(value));
        } catch (_e) {
          /* storage full or blocked: the chat still works, it just won't survive reloads */
        }
      },
      remove(name) {
        try {
          if (storage) storage.removeItem(key(name));
        } catch (_e) {
          /* ignore */
        }
      },
    };
  }

  // Issued by the Rasa channel: "sb_" + 128 random bits + "." + HMAC (rasa_addons/session_ids.py).
  const SIGNED_SESSION = /^sb_[0-9a-f]{32}\.[0-9a-f]{32}$/;

  // ---------------------------------------------------------------------------------------
  // The widget (browser only)

  const CSS = `
:host { all: initial; --sb-primary: #2f5d50; --sb-on-primary: #fff; --sb-ink: #1d2520; --sb-muted: #5b665f;
  --sb-line: #dde3df; --sb-bg: #f5f7f5; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--sb-ink); }
* { box-sizing: border-box; }
button { font: inherit; cursor: pointer; }
:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
.sb-launcher { position: fixed; right: 18px; bottom: 18px; z-index: 2147483000; border: 0; border-radius: 999px;
  padding: 12px 18px; background: var(--sb-primary); color: var(--sb-on-primary); box-shadow: 0 6px 20px rgba(0,0,0,.25); font-weight: 600; }
.sb-panel { position: fixed; right: 18px; bottom: 18px; z-index: 2147483001; width: 380px; height: min(620px, calc(100vh - 36px));
  display: flex; flex-direction: column; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.3); overflow: hidden; }
.sb-panel[hidden], .sb-launcher[hidden] { display: none; }
.sb-head { background: var(--sb-primary); color: var(--sb-on-primary); padding: 10px 12px; display: grid; grid-template-columns: minmax(0, 1fr) auto;
  grid-template-areas: "text close" "actions actions"; gap: 6px 8px; align-items: start; }
.sb-head-text { grid-area: text; min-width: 0; }
.sb-head-actions { grid-area: actions; display: flex; flex-wrap: wrap; gap: 6px; }
.sb-head .sb-close { grid-area: close; }
.sb-title { margin: 0; font-size: 16px; font-weight: 700; }
.sb-subtitle { margin: 0; font-size: 12px; opacity: .85; }
.sb-status { margin: 0; font-size: 12px; opacity: .95; display: flex; align-items: center; gap: 6px; }
.sb-dot { width: 8px; height: 8px; border-radius: 50%; background: #f0b429; display: inline-block; }
.sb-online .sb-dot { background: #4ade80; } .sb-offline .sb-dot { background: #f87171; }
.sb-close { background: transparent; color: var(--sb-on-primary); border: 0; font-size: 22px; line-height: 1; padding: 4px 8px; border-radius: 6px; }
.sb-new { background: transparent; color: var(--sb-on-primary); border: 1px solid rgba(255,255,255,.6); border-radius: 999px; padding: 4px 10px; font-size: 13px; white-space: nowrap; }
.sb-human { background: rgba(255,255,255,.15); color: var(--sb-on-primary); border: 1px solid rgba(255,255,255,.6); border-radius: 999px; padding: 4px 10px; font-size: 13px; white-space: nowrap; }
.sb-log { flex: 1; overflow-y: auto; padding: 12px; background: var(--sb-bg); display: flex; flex-direction: column; gap: 10px; }
.sb-msg { display: flex; flex-direction: column; max-width: 100%; }
.sb-user { align-items: flex-end; } .sb-bot, .sb-agent { align-items: flex-start; }
.sb-bubble { padding: 8px 12px; border-radius: 14px; max-width: 85%; overflow-wrap: anywhere; }
.sb-bubble p { margin: 0 0 6px; } .sb-bubble p:last-child { margin-bottom: 0; }
.sb-bubble ul, .sb-bubble ol { margin: 4px 0; padding-left: 20px; }
.sb-user .sb-bubble { background: var(--sb-primary); color: var(--sb-on-primary); border-bottom-right-radius: 4px; }
.sb-user .sb-bubble a { color: inherit; }
.sb-bot .sb-bubble { background: #fff; border: 1px solid var(--sb-line); border-bottom-left-radius: 4px; }
.sb-agent .sb-bubble { background: #fff7e0; border: 1px solid #e0b94f; border-bottom-left-radius: 4px; }
.sb-from { font-size: 12px; font-weight: 600; color: #7a5a00; margin: 0 0 2px 4px; }
.sb-bubble + .sb-bubble { margin-top: 4px; }
.sb-pending { opacity: .6; }
.sb-time { font-size: 11px; color: var(--sb-muted); margin-top: 2px; }
.sb-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.sb-link { color: var(--sb-primary); }
.sb-quick { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.sb-quick-btn { border: 1px solid var(--sb-primary); color: var(--sb-primary); background: #fff; border-radius: 999px; padding: 5px 12px; }
.sb-quick-btn:hover { background: var(--sb-primary); color: var(--sb-on-primary); }
.sb-cards, .sb-carousel { list-style: none; margin: 4px 0 0; padding: 0 0 6px; display: flex; gap: 8px; max-width: 100%; }
.sb-carousel { overflow-x: auto; scroll-snap-type: x mandatory; width: 100%; }
.sb-card { flex: 0 0 190px; scroll-snap-align: start; background: #fff; border: 1px solid var(--sb-line); border-radius: 12px; padding: 8px; display: flex; flex-direction: column; gap: 2px; }
.sb-card-img { width: 100%; height: 110px; object-fit: cover; border-radius: 8px; background: var(--sb-bg); }
.sb-card-name { margin: 4px 0 0; font-weight: 600; font-size: 14px; }
.sb-card-brand, .sb-card-summary { margin: 0; color: var(--sb-muted); font-size: 12px; }
.sb-card-row { margin: 0; display: flex; justify-content: space-between; gap: 6px; font-size: 13px; }
.sb-card-price { font-weight: 700; }
.sb-in { color: #1e7a3d; } .sb-out { color: #a33; }
.sb-card-actions { display: flex; gap: 6px; margin-top: auto; padding-top: 6px; }
.sb-card-view, .sb-card-ask { flex: 1; text-align: center; font-size: 13px; padding: 5px 6px; border-radius: 8px; text-decoration: none; border: 1px solid var(--sb-primary); }
.sb-card-view { background: var(--sb-primary); color: var(--sb-on-primary); }
.sb-card-ask { background: #fff; color: var(--sb-primary); }
.sb-order { background: #fff; border: 1px solid var(--sb-line); border-radius: 12px; padding: 10px; max-width: 85%; font-size: 14px; }
.sb-order-head { margin: 0 0 6px; display: flex; gap: 8px; justify-content: space-between; }
.sb-order-status { background: var(--sb-bg); border-radius: 999px; padding: 0 8px; font-size: 12px; }
.sb-order-items { margin: 0; padding: 0; list-style: none; }
.sb-order-items li { display: flex; justify-content: space-between; gap: 8px; border-top: 1px solid var(--sb-line); padding: 4px 0; }
.sb-order-total { margin: 6px 0 0; font-weight: 700; text-align: right; }
.sb-order-tracking { margin: 4px 0 0; color: var(--sb-muted); font-size: 12px; }
.sb-notice { align-items: center; }
.sb-handoff { margin: 0; background: #fff7e0; border: 1px solid #f0d48a; border-radius: 10px; padding: 6px 10px; font-size: 13px; text-align: center; }
.sb-image { max-width: 85%; border-radius: 10px; }
.sb-typing { display: flex; gap: 4px; padding: 10px 12px; background: #fff; border: 1px solid var(--sb-line); border-radius: 14px; width: fit-content; }
.sb-typing[hidden] { display: none; }
.sb-typing span { width: 7px; height: 7px; border-radius: 50%; background: var(--sb-muted); animation: sb-blink 1.2s infinite both; }
.sb-typing span:nth-child(2) { animation-delay: .2s; } .sb-typing span:nth-child(3) { animation-delay: .4s; }
@keyframes sb-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
.sb-form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid var(--sb-line); background: #fff; }
.sb-input { flex: 1; min-width: 0; padding: 9px 10px; border: 1px solid var(--sb-line); border-radius: 10px; font: inherit; }
.sb-send { background: var(--sb-primary); color: var(--sb-on-primary); border: 0; border-radius: 10px; padding: 0 14px; font-weight: 600; }
@media (max-width: 480px) {
  .sb-panel { right: 0; bottom: 0; width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; }
  .sb-card { flex-basis: 170px; }
  .sb-subtitle { display: none; }
}
@media (prefers-reduced-motion: reduce) { .sb-typing span { animation: none; } }
`;

  /** A performance mark, once per page: lets hosts (and tests) time connect and first reply. */
  function mark(name) {
    try {
      if (typeof performance !== "undefined" && performance.mark && !performance.getEntriesByName(name).length) {
        performance.mark(name);
      }
    } catch (_e) {
      /* timing is optional */
    }
  }

  function loadSocketIo(scriptSrc) {
    if (typeof window.io === "function") return Promise.resolve(window.io);
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = new URL("vendor/socket.io.min.js", scriptSrc || location.href).href;
      tag.async = true;
      tag.onload = () => (typeof window.io === "function" ? resolve(window.io) : reject(new Error("socket.io missing")));
      tag.onerror = () => reject(new Error("could not load socket.io client"));
      document.head.appendChild(tag);
    });
  }

  class ChatWidget {
    constructor(config, scriptSrc) {
      this.cfg = config;
      this.scriptSrc = scriptSrc;
      const ns = config.storagePrefix + ":" + config.server;
      this.store = makeStore(window.localStorage, ns);
      this.tabStore = makeStore(window.sessionStorage, ns);
      this.history = [];
      this.outbox = [];
      this.socket = null;
      this.confirmed = false;
      this.typingTimer = null;
      this.nodes = new WeakMap();
      this.actions = {
        reply: (b) => this.send(b.payload, b.title),
        ask: (p) => this.send(this.texts.tellMeMore + p.name + (p.id ? " (" + p.id + ")" : "")),
      };
      // The page's language is the prior; the conversation's language (the one the bot last
      // spoke, kept with the session) chooses the labels from then on.
      this.pageLang = widgetLanguage(config.lang || (typeof document !== "undefined" && document.documentElement.lang));
      this.setLanguage(this.store.get("lang", null) || this.pageLang, false);
    }

    /** Speak ``lang`` in every label; relabel the built widget when it changes. */
    setLanguage(lang, relabel) {
      const next = widgetLanguage(lang);
      if (next === this.lang) return;
      this.lang = next;
      this.texts = stringsFor(next);
      this.store.set("lang", next);
      if (relabel && this.panel) {
        this.applyLabels();
        this.renderHistory();
      }
    }

    /** The widget's own labels in the conversation's language (a site's own labels win). */
    applyLabels() {
      const T = this.texts;
      const title = this.cfg.title || T.title;
      this.panel.setAttribute("lang", this.lang === "zh" ? "zh-CN" : "en");
      this.launcher.textContent = this.cfg.launcherLabel || T.launcherLabel;
      this.launcher.setAttribute("aria-label", T.openChat + title);
      this.panel.setAttribute("aria-label", title);
      this.titleEl.textContent = title;
      this.freshBtn.textContent = T.newConversation;
      this.freshBtn.setAttribute("title", T.newConversationTitle);
      this.humanBtn.textContent = this.handoffLabel();
      this.closeBtn.setAttribute("aria-label", T.closeChat);
      this.log.setAttribute("aria-label", T.conversation);
      this.typing.setAttribute("aria-label", T.typing);
      this.inputLabel.textContent = T.yourMessage;
      this.input.setAttribute("placeholder", this.cfg.placeholder || T.placeholder);
      this.sendBtn.textContent = T.send;
      if (this.connection) this.setStatus(this.connection);
    }

    handoffLabel() {
      return this.cfg.handoffLabel || this.texts.handoffLabel;
    }

    start() {
      this.restoreSession();
      this.build();
      this.renderHistory();
      this.updateHandoff();
      if (this.tabStore.get("open", false) || this.cfg.openOnLoad) this.open(false);
      this.connect();
      document.addEventListener("click", (ev) => {
        const target = ev.target && ev.target.closest ? ev.target.closest("[data-shopbot-ask]") : null;
        if (target) {
          ev.preventDefault();
          this.open(true);
          this.send(target.getAttribute("data-shopbot-ask"));
        }
      });
    }

    restoreSession() {
      const token = this.cfg.customerToken || "";
      const previous = this.store.get("identity", "");
      // Signing out or switching shopper starts a fresh conversation so no one sees another's.
      if (previous && previous !== token) {
        this.store.remove("session");
        this.store.remove("history");
      }
      this.store.set("identity", token);
      // The server issues the session id (signed, bound to this browser) in session_confirm;
      // until then there is none, and an old unsigned one is dropped with its history.
      this.sessionId = this.store.get("session", null);
      if (typeof this.sessionId !== "string" || !SIGNED_SESSION.test(this.sessionId)) {
        this.sessionId = null;
        this.store.remove("session");
        this.store.set("history", []);
        this.store.remove("greeted");
      }
      const saved = this.store.get("history", []);
      this.history = Array.isArray(saved) ? saved.filter((e) => e && Array.isArray(e.parts) && (e.from === "user" || e.from === "bot")) : [];
      for (const e of this.history) if (e.pending) this.outbox.push(e);
    }

    build() {
      const host = document.createElement("div");
      host.id = "shopbot-widget";
      document.body.appendChild(host);
      const shadow = host.attachShadow({ mode: "open" });
      this.shadow = shadow;
      const style = document.createElement("style");
      style.textContent = CSS;
      shadow.appendChild(style);
      host.style.setProperty("--sb-primary", this.cfg.primaryColor);
      host.style.setProperty("--sb-on-primary", this.cfg.primaryTextColor);

      this.launcher = textEl(document, "button", "sb-launcher", "");
      this.launcher.setAttribute("type", "button");
      this.launcher.setAttribute("aria-haspopup", "dialog");
      this.launcher.setAttribute("aria-expanded", "false");
      this.launcher.addEventListener("click", () => this.open(true));
      shadow.appendChild(this.launcher);

      const panel = el(document, "section", "sb-panel", { role: "dialog" });
      panel.hidden = true;
      this.panel = panel;
      const head = el(document, "header", "sb-head");
      const headText = el(document, "div", "sb-head-text");
      this.titleEl = textEl(document, "h2", "sb-title", "");
      headText.appendChild(this.titleEl);
      if (this.cfg.subtitle) headText.appendChild(textEl(document, "p", "sb-subtitle", this.cfg.subtitle));
      this.statusEl = el(document, "p", "sb-status", { role: "status" });
      this.statusEl.appendChild(el(document, "span", "sb-dot", { "aria-hidden": "true" }));
      this.statusText = document.createElement("span");
      this.statusEl.appendChild(this.statusText);
      headText.appendChild(this.statusEl);
      head.appendChild(headText);
      // Header controls on their own row under the title, so neither squeezes the other.
      const actions = el(document, "div", "sb-head-actions");
      head.appendChild(actions);
      // A fresh conversation (new session id) whatever state the old one is in.
      const fresh = textEl(document, "button", "sb-new", "");
      this.freshBtn = fresh;
      fresh.setAttribute("type", "button");
      fresh.addEventListener("click", () => this.newConversation());
      actions.appendChild(fresh);
      const human = textEl(document, "button", "sb-human", "");
      this.humanBtn = human;
      human.setAttribute("type", "button");
      human.addEventListener("click", () => this.send(this.cfg.handoffPayload, this.handoffLabel()));
      actions.appendChild(human);
      const close = textEl(document, "button", "sb-close", "×");
      close.setAttribute("type", "button");
      this.closeBtn = close;
      close.addEventListener("click", () => this.close());
      head.appendChild(close);
      panel.appendChild(head);

      this.log = el(document, "div", "sb-log", { role: "log", "aria-live": "polite", tabindex: "0" });
      panel.appendChild(this.log);
      this.typing = el(document, "div", "sb-typing", { role: "img" });
      for (let i = 0; i < 3; i++) this.typing.appendChild(document.createElement("span"));
      this.typing.hidden = true;

      const form = el(document, "form", "sb-form");
      const label = textEl(document, "label", "sb-sr", "");
      this.inputLabel = label;
      label.setAttribute("for", "sb-input");
      this.input = el(document, "input", "sb-input", {
        id: "sb-input",
        type: "text",
        autocomplete: "off",
        maxlength: String(this.cfg.maxMessageChars),
      });
      const sendBtn = textEl(document, "button", "sb-send", "");
      this.sendBtn = sendBtn;
      sendBtn.setAttribute("type", "submit");
      form.appendChild(label);
      form.appendChild(this.input);
      form.appendChild(sendBtn);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const text = this.input.value.trim();
        if (!text) return;
        this.input.value = "";
        this.send(text);
      });
      panel.appendChild(form);
      panel.addEventListener("keydown", (ev) => {
        if (ev.key === "Escape") this.close();
      });
      shadow.appendChild(panel);
      this.applyLabels();
      this.setStatus("connecting");
    }

    open(focus) {
      this.panel.hidden = false;
      this.launcher.hidden = true;
      this.launcher.setAttribute("aria-expanded", "true");
      this.tabStore.set("open", true);
      this.scrollDown();
      if (focus) this.input.focus();
      if (!this.history.length && !this.store.get("greeted", false)) this.greet();
    }

    close() {
      this.panel.hidden = true;
      this.launcher.hidden = false;
      this.launcher.setAttribute("aria-expanded", "false");
      this.tabStore.set("open", false);
      this.launcher.focus();
    }

    /** Forget this conversation here (session id, history) and start a new one with Rasa. */
    newConversation() {
      // A person is awaited or holds the chat: leave the queue. /restart is the one message a
      // paused Rasa conversation still handles; the console then drops the request.
      if (this.handoffOpen() && this.socket && this.confirmed) {
        this.socket.emit("user_uttered", { message: "/restart", session_id: this.sessionId });
      }
      this.store.remove("session");
      this.store.remove("history");
      this.store.remove("greeted");
      this.setLanguage(this.pageLang, true);
      this.sessionId = null; // the server issues a new signed id on the next session_request
      this.store.set("history", []);
      this.history = [];
      this.outbox = [];
      this.renderHistory();
      this.updateHandoff();
      if (this.socket) {
        this.socket.removeAllListeners();
        this.socket.disconnect();
        this.socket = null;
      }
      this.confirmed = false;
      this.setStatus("connecting");
      this.connect();
      if (!this.panel.hidden) this.greet();
      if (this.input) this.input.focus();
    }

    greet() {
      if (!this.cfg.initPayload) return;
      this.store.set("greeted", true);
      this.send(this.cfg.initPayload, null);
    }

    setStatus(state) {
      const T = this.texts;
      const labels = { connecting: T.connecting, online: T.online, reconnecting: T.reconnecting, offline: T.offline };
      this.connection = state;
      this.statusEl.setAttribute("class", "sb-status sb-" + (state === "online" ? "online" : state === "offline" ? "offline" : "connecting"));
      const handoff = state === "online" ? this.handoffState() : null;
      this.statusText.textContent =
        handoff === "requested" ? T.waitingForPerson : handoff === "agent_joined" ? T.chattingWith + T.person : labels[state] || state;
      this.panel.setAttribute("data-connection", state);
    }

    connect() {
      loadSocketIo(this.scriptSrc)
        .then((io) => {
          const socket = io(this.cfg.server, {
            path: this.cfg.socketPath,
            transports: ["websocket"],
            // No session id in the URL: it is a credential (proxies hash by client address).
            reconnection: true,
            reconnectionDelay: 500,
            reconnectionDelayMax: 5000,
          });
          this.socket = socket;
          socket.on("connect", () => {
            this.confirmed = false;
            socket.emit("session_request", this.sessionId ? { session_id: this.sessionId } : {});
          });
          socket.on("session_confirm", (issued) => {
            if (typeof issued === "string" && SIGNED_SESSION.test(issued) && issued !== this.sessionId) {
              if (this.sessionId) {
                // The server did not accept the old id (e.g. a rotated secret): a new conversation.
                this.history = this.history.filter((e) => e.pending);
                this.save();
              }
              this.sessionId = issued;
              this.store.set("session", issued);
            }
            mark("shopbot:connected");
            this.confirmed = true;
            this.setStatus("online");
            this.flush();
          });
          socket.on("bot_uttered", (data) => this.receive(data));
          socket.on("disconnect", () => {
            this.confirmed = false;
            this.setStatus("reconnecting");
          });
          socket.on("connect_error", () => this.setStatus("offline"));
        })
        .catch(() => this.setStatus("offline"));
    }

    send(text, shownAs) {
      const message = asText(text, this.cfg.maxMessageChars);
      if (!message) return;
      const entry = { from: "user", ts: Date.now(), parts: [], pending: true, message };
      // The page's language is the prior of the conversation's first message (docs/widget.md).
      if (!this.history.some((e) => e.from === "user")) entry.lang = this.pageLang;
      if (shownAs !== null) entry.parts.push({ kind: "text", text: shownAs || message });
      this.history.push(entry);
      this.outbox.push(entry);
      this.save();
      this.appendEntry(entry);
      this.flush();
    }

    flush() {
      if (!this.socket || !this.confirmed) return;
      while (this.outbox.length) {
        const entry = this.outbox.shift();
        const payload = { message: withPrior(entry.message, entry.lang), session_id: this.sessionId };
        const metadata = {};
        if (this.cfg.customerToken) metadata.customer_token = this.cfg.customerToken;
        if (entry.lang) metadata.lang = entry.lang;
        if (Object.keys(metadata).length) payload.metadata = metadata;
        this.socket.emit("user_uttered", payload);
        entry.pending = false;
        this.refreshEntry(entry);
        // The bot is paused while a person is awaited or holds the chat (a person types at
        // human speed): no "assistant is typing" dots then.
        this.showTyping(!this.handoffOpen());
      }
      this.save();
    }

    receive(data) {
      const spoken = botLanguage(data);
      if (spoken) this.setLanguage(spoken, true);
      const parts = dedupeHandoff(normaliseBotMessage(data, this.texts), this.history[this.history.length - 1], this.texts);
      this.showTyping(false);
      if (!parts.length) return;
      mark("shopbot:first-bot-message");
      const entry = { from: parts.some((p) => p.person) ? "agent" : "bot", ts: Date.now(), parts };
      this.history.push(entry);
      this.save();
      this.appendEntry(entry);
      if (parts.some((p) => p.kind === "handoff")) this.updateHandoff();
    }

    /** The latest hand-off notice's state (requested, agent_joined, returned), or null. */
    handoffState() {
      for (let i = this.history.length - 1; i >= 0; i--) {
        const notice = this.history[i].parts.find((p) => p.kind === "handoff");
        if (notice) return notice.state;
      }
      return null;
    }

    /** A person is awaited or holds the conversation (the bot is paused meanwhile). */
    handoffOpen() {
      const state = this.handoffState();
      return state === "requested" || state === "agent_joined";
    }

    /** "Talk to a person" only when no person is awaited or present; the status says which. */
    updateHandoff() {
      const open = this.handoffOpen();
      if (this.humanBtn) this.humanBtn.hidden = open;
      this.panel.setAttribute("data-handoff", this.handoffState() || "none");
      if (this.connection) this.setStatus(this.connection);
    }

    showTyping(on) {
      clearTimeout(this.typingTimer);
      this.typing.hidden = !on;
      if (on) this.typingTimer = setTimeout(() => (this.typing.hidden = true), 20000);
      this.scrollDown();
    }

    save() {
      const keep = this.history.slice(-this.cfg.historyLimit);
      this.history = keep;
      this.store.set("history", keep);
    }

    /** Full render (start-up): quick replies only after the shopper's last message. */
    renderHistory() {
      let lastUser = -1;
      this.history.forEach((e, i) => {
        if (e.from === "user" && e.parts.length) lastUser = i;
      });
      this.nodes = new WeakMap();
      this.log.replaceChildren();
      this.history.forEach((entry, i) => {
        if (!entry.parts.length) return;
        const node = renderEntry(document, entry, this.actions, { showButtons: i > lastUser, texts: this.texts });
        this.nodes.set(entry, node);
        this.log.appendChild(node);
      });
      this.log.appendChild(this.typing);
      this.scrollDown();
    }

    /** Add one message without re-rendering the log (screen readers hear only the new one). */
    appendEntry(entry) {
      if (!entry.parts.length) return;
      if (entry.from === "user") for (const q of this.log.querySelectorAll(".sb-quick")) q.remove();
      const node = renderEntry(document, entry, this.actions, { showButtons: entry.from === "bot", texts: this.texts });
      this.nodes.set(entry, node);
      this.log.insertBefore(node, this.typing);
      this.scrollDown();
    }

    refreshEntry(entry) {
      const old = this.nodes.get(entry);
      if (!old) return;
      const node = renderEntry(document, entry, this.actions, { showButtons: false, texts: this.texts });
      this.nodes.set(entry, node);
      old.replaceWith(node);
    }

    scrollDown() {
      if (this.log) this.log.scrollTop = this.log.scrollHeight;
    }
  }

  function autoStart(script) {
    const globalConfig = typeof window !== "undefined" ? window.ShopbotConfig : undefined;
    const cfg = readConfig(script, globalConfig);
    const src = script && script.src ? script.src : undefined;
    const boot = () => {
      if (window.Shopbot && window.Shopbot.widget) return;
      const widget = new ChatWidget(cfg, src);
      window.Shopbot = {
        widget,
        open: () => widget.open(true),
        close: () => widget.close(),
        ask: (text) => {
          widget.open(true);
          widget.send(text);
        },
      };
      widget.start();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
    else boot();
  }

  return {
    DEFAULTS,
    safeHref,
    parseInline,
    parseMarkdown,
    formatPrice,
    normaliseBotMessage,
    dedupeHandoff,
    withPrior,
    STRINGS,
    stringsFor,
    widgetLanguage,
    spokenLanguage,
    renderMarkdown,
    renderProducts,
    renderOrder,
    renderButtons,
    renderEntry,
    readConfig,
    makeStore,
    autoStart,
  };
});
