// nktk review: one passage at a time. Article text is only ever set with textContent.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const KEYS = { "1": 0, "2": 1, "3": 2, "4": 3 };

let view = null;        // the server's state
let labels = new Set(); // the reviewer's factor choices for the passage on screen
let entities = [];      // the reviewer's entities: {start, end, label, canonical, id, text}
let editing = null;     // {index} of the entity in the editor, or {start, end} of a new one
let busy = false;

async function api(method, path, body) {
  const init = { method, headers: { "X-Nktk-Token": TOKEN } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function toast(message, isError) {
  const box = $("toast");
  box.textContent = message;
  box.className = isError ? "error" : "";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, isError ? 6000 : 1200);
}

function show(state) {
  view = state;
  const p = state.progress;
  let line = `${p.reviewed} / ${p.total} reviewed`;
  if (p.agreement !== null) line += ` · agreement with the model ${Math.round(p.agreement * 100)}% of decisions`;
  if (p.skipped) line += ` · ${p.skipped} skipped`;
  $("progress").textContent = line;
  $("out").textContent = `saving to ${state.out}`;
  const item = state.item;
  $("main").hidden = !item;
  $("done").hidden = !!item;
  $("undo").disabled = $("done-undo").disabled = !state.can_undo;
  if (!item) {
    $("done-out").textContent = state.out;
    $("done-train").textContent = `nktk train --corpus ${state.out}`;
    $("done-eval").textContent = `nktk evaluate ${state.out}`;
    return;
  }
  const draft = state.draft;
  labels = new Set(draft ? draft.labels : item.model.labels);
  entities = (draft ? draft.entities : item.entities).map((e) => ({ ...e }));
  $("title").textContent = item.title;
  $("source").textContent = item.source;
  $("before").textContent = item.before || "";
  $("after").textContent = item.after || "";
  $("passage").lang = item.lang;
  document.documentElement.lang = item.lang;
  $("position").textContent = `passage ${item.index} of ${item.record}` + (draft ? " · brought back by undo" : "");
  render();
}

function render() {
  renderFactors();
  renderPassage();
  renderEntities();
}

function renderFactors() {
  const item = view.item;
  const box = $("factors");
  box.replaceChildren();
  view.factors.forEach((factor, n) => {
    const score = item.model.scores[factor] ?? 0;
    const threshold = view.thresholds[factor] ?? 0.5;
    const modelSays = item.model.labels.includes(factor);
    const on = labels.has(factor);
    const button = el("button", "factor" + (on ? " on" : "") + (on !== modelSays ? " changed" : ""));
    button.type = "button";
    button.dataset.factor = factor;
    button.setAttribute("aria-pressed", String(on));
    button.append(el("span", "key", String(n + 1)), el("span", "name", factor), el("span", "state", on ? "yes" : "no"));
    const track = el("span", "track");
    const fill = el("span", "fill");
    fill.style.width = `${Math.round(score * 100)}%`;
    const mark = el("span", "threshold");
    mark.style.left = `${Math.round(threshold * 100)}%`;
    track.append(fill, mark);
    const words = (item.model.evidence[factor] || []).map(([s, e]) => item.text.slice(s, e));
    const meta = el("span", "meta",
      `score ${score.toFixed(2)} (threshold ${threshold.toFixed(2)}), model: ${modelSays ? "yes" : "no"}` +
      (words.length ? ` · ${words.slice(0, 4).join(", ")}` : ""));
    button.append(track, meta);
    button.addEventListener("click", () => toggle(n));
    box.append(button);
  });
}

// The passage as segments between every entity and evidence boundary; each segment knows its offset.
function renderPassage() {
  const item = view.item;
  const text = item.text;
  const cuts = new Set([0, text.length]);
  const evidence = [];
  for (const [factor, spans] of Object.entries(item.model.evidence)) {
    for (const [s, e] of spans) { evidence.push({ s, e, factor }); cuts.add(s); cuts.add(e); }
  }
  entities.forEach((ent) => { cuts.add(ent.start); cuts.add(ent.end); });
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const box = $("passage");
  box.replaceChildren();
  for (let i = 0; i + 1 < points.length; i++) {
    const s = points[i], e = points[i + 1];
    const index = entities.findIndex((ent) => ent.start <= s && e <= ent.end);
    const factors = evidence.filter((ev) => ev.s <= s && e <= ev.e).map((ev) => ev.factor);
    let node;
    if (index >= 0) {
      node = el("mark", entities[index].label);
      node.dataset.entity = String(index);
      node.title = `${entities[index].label}: ${entities[index].canonical}` + (entities[index].id ? ` (${entities[index].id})` : "");
    } else {
      node = el("span");
    }
    if (factors.length) {
      node.classList.add("ev", factors[0]);
      if (!labels.has(factors[0])) node.classList.add("off");
      node.title = (node.title ? node.title + " · " : "") + "evidence: " + factors.join(", ");
    }
    node.dataset.s = String(s);
    node.textContent = text.slice(s, e);
    box.append(node);
  }
}

function renderEntities() {
  const list = $("entities");
  list.replaceChildren();
  if (!entities.length) list.append(el("li", "none", "none"));
  entities.forEach((ent, index) => {
    const li = el("li");
    li.dataset.entity = String(index);
    li.append(el("span", "chip " + ent.label, ent.label), el("span", "", view.item.text.slice(ent.start, ent.end)),
      el("span", "canon", "→ " + ent.canonical + (ent.id ? ` · ${ent.id}` : " · no id")));
    li.addEventListener("click", () => openEditor({ index }));
    list.append(li);
  });
}

function toggle(n) {
  const factor = view.factors[n];
  if (labels.has(factor)) labels.delete(factor); else labels.add(factor);
  render();
}

async function post(path, body, message) {
  if (busy) return;
  busy = true;
  try {
    const state = await api("POST", path, body);
    show(state);
    if (message) toast(message);
    window.getSelection().removeAllRanges();
  } catch (err) {
    toast(`not done: ${err.message}`, true);
  } finally {
    busy = false;
  }
}

function save() {
  if (!view.item) return;
  const body = { id: view.item.id, labels: [...labels],
    entities: entities.map(({ start, end, label, canonical, id }) => ({ start, end, label, canonical, id: id || null })) };
  post("/api/save", body, "saved");
}

const skip = () => view.item && post("/api/skip", { id: view.item.id }, "skipped");
const undo = () => view.can_undo && post("/api/undo", {}, "undone: the passage is back");

// --- entities -----------------------------------------------------------------------------------

function offsetIn(node, offset) {
  const box = $("passage");
  if (node === box) {
    const child = box.childNodes[offset];
    return child ? Number(child.dataset.s) : view.item.text.length;
  }
  let holder = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  while (holder && holder.parentElement !== box) holder = holder.parentElement;
  if (!holder || holder.dataset.s === undefined) return null;
  return Number(holder.dataset.s) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
}

function selectedSpan() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const box = $("passage");
  if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return null;
  let start = offsetIn(range.startContainer, range.startOffset);
  let end = offsetIn(range.endContainer, range.endOffset);
  if (start === null || end === null || end <= start) return null;
  const text = view.item.text;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end > start ? { start, end } : null;
}

let searchTimer = null;
let searchSeq = 0; // answers can come back out of order: only the latest query's answer is shown

function openEditor(target) {
  editing = target;
  const isNew = target.index === undefined;
  const ent = isNew ? { start: target.start, end: target.end, label: "LOC", canonical: "", id: null }
    : entities[target.index];
  editing.draft = { ...ent };
  $("editor-text").textContent = view.item.text.slice(ent.start, ent.end);
  $("editor-label").value = ent.label;
  $("editor-canonical").value = ent.canonical || "";
  $("editor-id").textContent = ent.id || "none";
  $("editor-ok").textContent = isNew ? "Add" : "Change";
  $("editor-remove").hidden = isNew;
  $("editor-results").replaceChildren();
  $("editor").hidden = false;
  $("editor-canonical").focus();
  search(isNew ? view.item.text.slice(ent.start, ent.end) : ent.canonical, isNew);
}

function closeEditor() {
  $("editor").hidden = true;
  editing = null;
  $("passage").focus();
}

async function search(query, pickFirst) {
  const results = $("editor-results");
  const seq = ++searchSeq;
  if (!query.trim()) { results.replaceChildren(); results.dataset.query = query; return; }
  let found;
  try {
    found = (await api("GET", `/api/gazetteer?q=${encodeURIComponent(query)}`)).results;
  } catch (err) { if (seq === searchSeq) toast(err.message, true); return; }
  if (!editing || seq !== searchSeq) return;
  results.replaceChildren();
  results.dataset.query = query;
  found.forEach((entry) => {
    const li = el("li", "", `${entry.canonical} · ${entry.label} · ${entry.id}` +
      (entry.ko.length ? ` · ${entry.ko.slice(0, 2).join(", ")}` : ""));
    li.addEventListener("click", () => choose(entry));
    results.append(li);
  });
  if (pickFirst && found.length && found[0].exact) choose(found[0], true); // only a name of that very entry
}

function choose(entry, quiet) {
  editing.draft.canonical = entry.canonical;
  editing.draft.id = entry.id;
  editing.draft.label = entry.label;
  $("editor-canonical").value = entry.canonical;
  $("editor-label").value = entry.label;
  $("editor-id").textContent = entry.id;
  if (!quiet) $("editor-ok").focus();
}

function commitEditor() {
  const d = editing.draft;
  d.label = $("editor-label").value;
  const typed = $("editor-canonical").value.trim();
  if (typed !== d.canonical) { d.canonical = typed; d.id = null; }
  if (!d.canonical) d.canonical = view.item.text.slice(d.start, d.end);
  d.text = view.item.text.slice(d.start, d.end);
  if (editing.index === undefined) {
    entities = entities.filter((e) => e.end <= d.start || d.end <= e.start); // a new span replaces overlaps
    entities.push(d);
    entities.sort((a, b) => a.start - b.start);
  } else {
    entities[editing.index] = d;
  }
  closeEditor();
  render();
}

function removeEntity() {
  if (editing.index !== undefined) entities.splice(editing.index, 1);
  closeEditor();
  render();
}

// --- wiring ---------------------------------------------------------------------------------------

function typing(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (!$("help").hidden) {
    if (event.key === "Escape" || event.key === "?") { $("help").hidden = true; event.preventDefault(); }
    return;
  }
  if (!$("editor").hidden) {
    if (event.key === "Escape") { closeEditor(); event.preventDefault(); }
    else if (event.key === "Enter") { commitEditor(); event.preventDefault(); }
    return;
  }
  if (typing(event.target)) return;
  if (event.key in KEYS && view && view.item) { toggle(KEYS[event.key]); event.preventDefault(); }
  else if (event.key === "Enter") { save(); event.preventDefault(); }
  else if (event.key === "x") { skip(); event.preventDefault(); }
  else if (event.key === "u") { undo(); event.preventDefault(); }
  else if (event.key === "?") { $("help").hidden = false; event.preventDefault(); }
});

document.addEventListener("DOMContentLoaded", () => {
  $("save").addEventListener("click", save);
  $("skip").addEventListener("click", skip);
  $("undo").addEventListener("click", undo);
  $("done-undo").addEventListener("click", undo);
  $("help-button").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
  $("help-close").addEventListener("click", () => { $("help").hidden = true; });
  $("editor-ok").addEventListener("click", commitEditor);
  $("editor-remove").addEventListener("click", removeEntity);
  $("editor-cancel").addEventListener("click", closeEditor);
  $("editor-canonical").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    ++searchSeq; // what the reviewer types wins over an answer still on its way
    searchTimer = setTimeout(() => search(event.target.value, false), 120);
  });
  $("passage").addEventListener("mouseup", () => {
    const span = selectedSpan();
    if (span) { openEditor(span); return; }
  });
  $("passage").addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-entity]");
    if (mark && window.getSelection().isCollapsed) openEditor({ index: Number(mark.dataset.entity) });
  });
  api("GET", "/api/state").then(show).catch((err) => toast(`cannot load: ${err.message}`, true));
});
