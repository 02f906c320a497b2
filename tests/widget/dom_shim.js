// A tiny DOM stand-in for node tests: just what the widget's renderers use. It has no HTML
// parser at all, so the only way markup can appear is through createElement: exactly what the
// XSS tests check (a bot string must come out as a text node, never as an element).
"use strict";

class Text {
  constructor(value) {
    this.nodeType = 3;
    this.data = String(value);
  }
  get textContent() {
    return this.data;
  }
}

class Element {
  constructor(tag) {
    this.nodeType = 1;
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.childNodes = [];
    this.listeners = {};
  }
  appendChild(child) {
    this.childNodes.push(child);
    return child;
  }
  setAttribute(name, value) {
    this.attributes.set(String(name).toLowerCase(), String(value));
  }
  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }
  addEventListener(type, fn) {
    (this.listeners[type] = this.listeners[type] || []).push(fn);
  }
  click() {
    for (const fn of this.listeners.click || []) fn({ type: "click", target: this });
  }
  get textContent() {
    return this.childNodes.map((c) => c.textContent).join("");
  }
  set innerHTML(_v) {
    throw new Error("innerHTML must never be used by the widget");
  }
  get className() {
    return this.getAttribute("class") || "";
  }
  /** Every element below (and including) this one, depth first. */
  all() {
    const out = [this];
    for (const c of this.childNodes) if (c.nodeType === 1) out.push(...c.all());
    return out;
  }
  find(tag) {
    return this.all().filter((e) => e.tagName === tag.toUpperCase());
  }
  byClass(cls) {
    return this.all().filter((e) => e.className.split(/\s+/).includes(cls));
  }
}

const escapeHtml = (s) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function serialize(node) {
  if (node.nodeType === 3) return escapeHtml(node.data);
  const tag = node.tagName.toLowerCase();
  const attrs = [...node.attributes].map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join("");
  return `<${tag}${attrs}>${node.childNodes.map(serialize).join("")}</${tag}>`;
}

const doc = {
  createElement: (tag) => new Element(tag),
  createTextNode: (value) => new Text(value),
};

module.exports = { doc, serialize, Element, Text };
