// obs console: polls api/overview, draws a chosen trace from api/traces/<id>.
// No framework and no network beyond this server; every value is set as text, never as HTML.
"use strict";

const REFRESH_MS = 2000;
const $ = (id) => document.getElementById(id);
let chosen = "";

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "title") node.title = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function ms(value) {
  if (value === null || value === undefined) return "–";
  if (value >= 10000) return (value / 1000).toFixed(2) + " s";
  if (value >= 100) return value.toFixed(0) + " ms";
  return value.toFixed(1) + " ms";
}

function pct(value) {
  if (value === null || value === undefined) return "–";
  return (value * 100).toFixed(1) + "%";
}

function clock(unixMs) {
  const d = new Date(unixMs);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function replace(tbody, rows, empty, columns) {
  tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colSpan: columns, class: "muted" }, empty))]));
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store", credentials: "same-origin" });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

function drawRoutes(data) {
  $("window").textContent = `over the last ${Math.round(data.window_s)} s`;
  const rows = data.routes.map((r) => {
    const errorClass = r.error_ratio ? "num bad" : "num";
    return el("tr", {},
      el("td", {}, el("span", { class: "method" }, r.method), " ", el("span", { class: "mono" }, r.route)),
      el("td", { class: "num" }, r.rate.toFixed(2)),
      el("td", { class: "num" }, r.requests),
      el("td", { class: errorClass }, pct(r.error_ratio)),
      el("td", { class: "num" }, ms(r.p50_ms)),
      el("td", { class: "num" }, ms(r.p95_ms)),
      el("td", { class: "num muted" }, r.total));
  });
  replace($("routes"), rows, "no requests counted yet", 7);
}

function drawRequests(data) {
  const rows = data.requests.map((q) => {
    const row = el("tr", { class: "clickable" + (q.trace_id === chosen ? " chosen" : "") },
      el("td", { class: "muted", title: clock(q.start_unix_ms) }, clock(q.start_unix_ms).slice(0, 8)),
      el("td", {}, el("span", { class: "method" }, q.method), " ", el("span", { class: "mono" }, q.route)),
      el("td", { class: q.error || q.status >= 500 ? "num bad" : q.status >= 400 ? "num warn" : "num" }, q.status ?? "–"),
      el("td", { class: "num" }, ms(q.duration_ms)),
      el("td", { class: "mono trace-link", title: q.trace_id }, q.trace_id));
    row.addEventListener("click", () => choose(q.trace_id, true));
    return row;
  });
  const empty = data.tracing ? "no requests yet" : "tracing is off (sdk_disabled): no spans to show";
  replace($("requests"), rows, empty, 5);
}

async function refresh() {
  try {
    const data = await getJSON("api/overview");
    $("service").textContent = data.service;
    document.title = "obs console · " + data.service;
    drawRoutes(data);
    drawRequests(data);
    $("updated").textContent = "updated " + new Date().toLocaleTimeString([], { hour12: false });
    const file = data.traces_file ? ` · traces also in ${data.traces_file} (obs traces show <id>)` : "";
    $("footer").textContent =
      `Kept in memory: the last ${data.limits.spans} spans and ${data.limits.logs} log lines${file}`;
  } catch (error) {
    $("updated").textContent = "offline: " + error.message;
  }
}

function drawWaterfall(trace) {
  const spans = trace.spans;
  const box = $("waterfall");
  if (!spans.length) {
    box.replaceChildren(el("div", { class: "muted" }, "No spans kept for this trace (only its log lines)."));
    return;
  }
  const total = Math.max(...spans.map((s) => s.offset_ms + s.duration_ms), 0.001);
  const errors = spans.filter((s) => s.status === "error").length;
  $("trace-summary").replaceChildren(
    el("span", {}, `${spans.length} span${spans.length > 1 ? "s" : ""} · ${ms(total)} · `),
    errors ? el("span", { class: "bad" }, `${errors} error${errors > 1 ? "s" : ""}`) : el("span", { class: "good" }, "ok"),
    el("span", { class: "muted" }, trace.source === "file" ? " · read from the trace file" : ""));
  const scale = el("div", { class: "row scale" },
    el("div", { class: "name" }, "span"),
    el("div", { class: "track" }, el("span", {}, "0"), el("span", {}, ms(total / 2)), el("span", {}, ms(total))),
    el("div", { class: "timing name" }, "duration"));
  const rows = spans.map((s) => {
    const bar = el("div", { class: "bar" + (s.status === "error" ? " error" : ""), title: `${s.name}: ${ms(s.duration_ms)} at +${ms(s.offset_ms)}` });
    bar.style.left = (s.offset_ms / total) * 100 + "%";
    bar.style.width = Math.max((s.duration_ms / total) * 100, 0.4) + "%";
    const label = el("div", { class: "name" }, s.status === "error" ? el("span", { class: "bad" }, "✗ ") : null, s.name);
    label.style.paddingLeft = 0.4 + s.depth * 1.1 + "em";
    label.title = Object.entries(s.attributes).map(([k, v]) => `${k} = ${v}`).join("\n") || s.name;
    const key = Object.entries(s.key).map(([k, v]) => el("span", { class: k === "exception" || k === "error" ? "kv bad" : "kv" }, `${k}=${v}`));
    const timing = el("div", { class: "timing" }, ms(s.duration_ms));
    return el("div", { class: "span" },
      el("div", { class: "row" }, label, el("div", { class: "track" }, bar), timing),
      key.length ? el("div", { class: "keys" }, ...key) : null);
  });
  box.replaceChildren(scale, ...rows);
}

function drawLogs(logs) {
  const box = $("logs");
  if (!logs.length) {
    box.className = "logs muted";
    box.textContent = "No log lines with this trace id in memory.";
    return;
  }
  box.className = "logs";
  const fixed = new Set(["timestamp", "level", "logger", "message", "service", "module", "function", "line", "trace_id", "span_id", "exception"]);
  box.replaceChildren(...logs.map((line) => {
    const fields = Object.entries(line).filter(([k]) => !fixed.has(k)).map(([k, v]) =>
      el("span", { class: "kv" }, `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`));
    const level = String(line.level || "");
    return el("div", { class: "log" },
      el("span", { class: "muted" }, String(line.timestamp || "").slice(11, 23)), " ",
      el("span", { class: "level " + level.toLowerCase() }, level), " ",
      el("span", { class: "muted" }, line.logger || ""), " ",
      el("span", { class: "message" }, line.message || ""), " ", ...fields,
      line.exception ? el("pre", { class: "exception" }, line.exception) : null);
  }));
}

async function choose(traceId, reveal = false) {
  const id = traceId.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(id)) {
    $("trace-summary").textContent = "Not a trace id: 32 hex digits, as in a log line's trace_id.";
    return;
  }
  chosen = id;
  if (location.hash !== "#trace=" + id) history.replaceState(null, "", "#trace=" + id);
  $("trace-id").textContent = id;
  for (const row of document.querySelectorAll("#requests tr")) {
    row.classList.toggle("chosen", row.textContent.includes(id));
  }
  try {
    const trace = await getJSON("api/traces/" + id);
    drawWaterfall(trace);
    drawLogs(trace.logs);
    const panel = document.querySelector("section.trace");
    if (reveal && panel.getBoundingClientRect().top > window.innerHeight) {
      panel.scrollIntoView({ behavior: "smooth", block: "start" }); // stacked layout
    }
  } catch (error) {
    $("trace-summary").textContent = `Trace ${id} is not in the console's memory (${error.message}).`;
    $("waterfall").replaceChildren();
    drawLogs([]);
  }
}

function fromHash() {
  const match = /trace=([0-9a-fA-F]{1,32})/.exec(location.hash);
  if (match) choose(match[1]);
}

$("find").addEventListener("submit", (event) => {
  event.preventDefault();
  choose($("find-id").value);
});
window.addEventListener("hashchange", fromHash);
setInterval(() => { if ($("live").checked) refresh(); }, REFRESH_MS);
refresh();
fromHash();
