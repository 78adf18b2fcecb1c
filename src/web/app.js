// ledbox on-device page: live strip preview, frame figures, test events and a small admin panel.
// Plain JS with no build step and no CDN: the device often sits on an offline LAN.
"use strict";

const $ = (id) => document.getElementById(id);
const MAX_EVENTS = 30;

// ---------------------------------------------------------------- API
/** JSON request; throws the server's `{error}` text so it can be shown as is. */
async function api(method, path, body) {
  const init = body === undefined ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error || `${res.status} ${res.statusText}`), { status: res.status });
  return data;
}

/** Calls fn with the latest value at most every `ms`: sliders fire far faster than the device needs. */
function throttled(fn, ms) {
  let timer = null, latest;
  return (v) => {
    latest = v;
    timer ??= setTimeout(() => { timer = null; fn(latest); }, ms);
  };
}

const showError = (el) => (err) => { el.textContent = err ? String(err.message || err) : ""; };

// ---------------------------------------------------------------- Live strip
const canvas = $("strip");
const ctx = canvas.getContext("2d");
// One pixel per LED; drawn scaled up and blurred underneath the dots, it makes the glow in one call.
const glow = document.createElement("canvas");
const gctx = glow.getContext("2d");
let frame = new Uint8Array(0);
let geo = null; // layout for the current LED count and width
let drawQueued = false;
let framesDrawn = 0;

/** Dots on a grid: one row while they fit at a comfortable size, else wrapped into rows. */
function layout(n) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 320;
  const pad = 14;
  const inner = width - 2 * pad;
  let pitch = Math.min(30, inner / n);
  let cols = n;
  if (pitch < 16) {
    pitch = 18;
    // Very long strips: shrink the dots so the canvas stays under ~360 px tall.
    if (Math.ceil(n / Math.floor(inner / pitch)) * pitch > 360) pitch = Math.max(5, Math.sqrt((inner * 360) / n));
    cols = Math.max(1, Math.floor(inner / pitch));
    pitch = inner / cols;
  }
  const rows = Math.ceil(n / cols);
  const height = Math.ceil(rows * pitch + 2 * pad);
  canvas.style.height = height + "px";
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  glow.width = cols;
  glow.height = rows;
  // Centre the grid when a single short row does not fill the width.
  const x0 = (width - cols * pitch) / 2;
  geo = { n, dpr, width, height, pitch, cols, rows, x0, y0: pad, img: gctx.createImageData(cols, rows) };
}

function ledCenter(i) {
  const { cols, pitch, x0, y0 } = geo;
  return { x: x0 + ((i % cols) + 0.5) * pitch, y: y0 + (Math.floor(i / cols) + 0.5) * pitch };
}

function draw() {
  drawQueued = false;
  const n = Math.floor(frame.length / 3);
  if (!n) return;
  if (!geo || geo.n !== n) layout(n);
  const { dpr, width, height, pitch, cols, rows, x0, y0, img } = geo;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.globalCompositeOperation = "source-over";
  ctx.fillStyle = "#07090d";
  ctx.fillRect(0, 0, width, height);

  const px = img.data;
  for (let i = 0; i < n; i++) {
    px[i * 4] = frame[i * 3]; px[i * 4 + 1] = frame[i * 3 + 1]; px[i * 4 + 2] = frame[i * 3 + 2]; px[i * 4 + 3] = 255;
  }
  gctx.putImageData(img, 0, 0);
  ctx.save();
  ctx.globalCompositeOperation = "lighter";
  ctx.globalAlpha = 0.75;
  ctx.filter = `blur(${Math.max(2, pitch * 0.45)}px)`;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(glow, 0, 0, cols, rows, x0, y0, cols * pitch, rows * pitch);
  ctx.restore();

  // The dots last, opaque, so each LED's centre shows exactly its colour.
  const r = Math.max(1.5, pitch * 0.33);
  for (let i = 0; i < n; i++) {
    const { x, y } = ledCenter(i);
    ctx.beginPath();
    ctx.arc(x, y, r + Math.max(1, pitch * 0.06), 0, 2 * Math.PI);
    ctx.fillStyle = "#161a21"; // the unlit LED package
    ctx.fill();
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${frame[i * 3]},${frame[i * 3 + 1]},${frame[i * 3 + 2]})`;
    ctx.fill();
  }
  framesDrawn++;
}

// Frames arrive at the live rate; drawing once per display refresh keeps a slow phone responsive.
function onFrame(buf) {
  frame = new Uint8Array(buf);
  if (!drawQueued) { drawQueued = true; requestAnimationFrame(draw); }
}
new ResizeObserver(() => { geo = null; if (frame.length) draw(); }).observe(canvas);

// For tests and curious owners: where LED i sits on the canvas, in device pixels.
window.ledbox = {
  get framesDrawn() { return framesDrawn; },
  ledPixel(i) { const c = ledCenter(i); return { x: Math.floor(c.x * geo.dpr), y: Math.floor(c.y * geo.dpr) }; },
};

// ---------------------------------------------------------------- Live channel
let ws = null;
let lastSeq = null; // resume point: events after this are replayed on reconnect
let backoffMs = 500;
let lastMessageAt = 0;

function setConn(text, state) {
  $("conn").textContent = text;
  $("conn").dataset.state = state;
}

function connect() {
  const q = new URLSearchParams();
  const fps = new URLSearchParams(location.search).get("fps");
  if (fps) q.set("fps", fps);
  if (lastSeq !== null) q.set("since", String(lastSeq));
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const qs = q.toString();
  ws = new WebSocket(`${proto}//${location.host}/api/v1/live${qs ? "?" + qs : ""}`);
  ws.binaryType = "arraybuffer";
  lastMessageAt = Date.now();
  ws.onmessage = (m) => {
    lastMessageAt = Date.now();
    if (typeof m.data === "string") onMessage(JSON.parse(m.data));
    else onFrame(m.data);
  };
  ws.onclose = reconnectLater;
}

function reconnectLater() {
  setConn(`reconnecting in ${(backoffMs / 1000).toFixed(1)} s`, "down");
  setTimeout(connect, backoffMs);
  backoffMs = Math.min(backoffMs * 2, 10_000);
}

function onMessage(m) {
  if (m.type === "hello") {
    backoffMs = 500;
    // A lower lastSeq than ours means the device restarted and its numbering began again.
    if (lastSeq === null || m.lastSeq < lastSeq) lastSeq = m.lastSeq;
    setConn(`live · ${m.ledCount} LEDs · ${Math.round(m.fps)} fps`, "up");
  } else if (m.type === "events") {
    if (m.missed) addNote(`${m.missed} earlier events not shown`);
    for (const { seq, event } of m.items) {
      if (seq <= lastSeq) continue; // a resume and a live broadcast can overlap
      lastSeq = seq;
      addEvent(event);
    }
  } else if (m.type === "stats") showStats(m.stats);
}

// Wi-Fi drops can leave a socket open but silent (the server sends a heartbeat every 5 s), and
// closing a dead socket can hang in the closing handshake, so drop it and start afresh.
setInterval(() => {
  if (ws?.readyState !== WebSocket.OPEN || Date.now() - lastMessageAt < 12_000) return;
  ws.onclose = ws.onmessage = null;
  ws.close();
  reconnectLater();
}, 3000);

// ---------------------------------------------------------------- Figures and events
function showStats(s) {
  $("fps").textContent = s.deliveredFps.toFixed(1);
  $("fps-target").textContent = `of ${s.targetFps} fps`;
  $("interval").textContent = `${s.intervalMs.p50.toFixed(1)} / ${s.intervalMs.p99.toFixed(1)}`;
  $("render").textContent = s.renderMs.p99.toFixed(2);
  $("overruns").textContent = String(s.overruns);
  $("power").textContent = String(s.power.ma);
  $("watts").textContent = `· ${s.power.watts.toFixed(2)} W`;
  $("limiting").textContent = s.power.limiting ? "limiting" : "ok";
  $("limiting").dataset.on = String(s.power.limiting);
}

/** The one field that says most about an event, if it has one. */
function keyValue(e) {
  if (typeof e.value === "number") return String(e.value);
  if (e.type === "kill") return e.headshot ? "headshot" : "";
  for (const k of ["amount", "count", "result", "kind", "level", "intensity", "name", "map", "minutes"]) {
    if (e[k] !== undefined) return k === "count" ? `×${e[k]}` : k === "minutes" ? `${e[k]} min` : String(e[k]);
  }
  return "";
}

function addRow(li, cls) {
  const list = $("events");
  li.className = cls;
  list.querySelector(".empty")?.remove();
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

function addEvent(e) {
  const li = document.createElement("li");
  const time = new Date(e.time || Date.now()).toLocaleTimeString([], { hour12: false });
  for (const [cls, text] of [["type", e.type], ["value", keyValue(e)], ["game", e.game], ["time", time]]) {
    li.append(Object.assign(document.createElement("span"), { className: cls, textContent: text }));
  }
  addRow(li, "event");
}

const addNote = (text) => addRow(Object.assign(document.createElement("li"), { textContent: text }), "note");

// ---------------------------------------------------------------- Test events
const testError = showError($("test-error"));
const sendEvent = (event) => api("POST", "/api/v1/events", { source: "web", ...event }).then(() => testError(null), testError);

$("test-buttons").addEventListener("click", (e) => {
  const b = e.target.closest("button[data-event]");
  if (b) sendEvent(JSON.parse(b.dataset.event));
});
const sendHealth = throttled((v) => sendEvent({ type: "health", value: v }), 80);
$("health").addEventListener("input", (e) => {
  $("health-out").textContent = e.target.value;
  sendHealth(Number(e.target.value));
});

// ---------------------------------------------------------------- Schedules
const MAX_MATCHES = 8;
// The device's zone and clock: times show as the device keeps them, countdowns by its clock.
let schedule = { timeZone: undefined, skew: 0, matches: [] };
const schedError = showError($("sched-error"));

async function loadSchedules() {
  try {
    const [sources, m] = await Promise.all([api("GET", "/api/v1/schedules"), api("GET", "/api/v1/matches")]);
    const statuses = await Promise.all(sources.map((s) => api("GET", `/api/v1/schedules/${encodeURIComponent(s.id)}/status`)));
    $("sources").replaceChildren(...statuses.map(sourceRow));
    schedule = { timeZone: m.timeZone, skew: Date.parse(m.now) - Date.now(), matches: m.matches.slice(0, MAX_MATCHES) };
    showMatches();
    schedError(null);
  } catch (err) { schedError(err); }
}

function sourceRow(s) {
  const li = document.createElement("li");
  const l = s.last;
  const detail = s.problem ?? s.clockProblem ?? (l ? `${s.matches} matches · last import +${l.imported} ~${l.updated} −${l.removed}${l.skipped ? ` · ${l.skipped} skipped` : ""}` : "not imported yet");
  for (const [cls, text] of [["name", s.name], ["state", s.state], ["detail", detail]]) li.append(Object.assign(document.createElement("span"), { className: cls, textContent: text }));
  li.dataset.state = s.state;
  return li;
}

/** "in 4:32", "in 2 h 05 min", "in 3 d 4 h", "now". */
function countdown(ms) {
  if (ms <= 0) return "now";
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  if (h >= 24) return `in ${Math.floor(h / 24)} d ${h % 24} h`;
  return h ? `in ${h} h ${String(m).padStart(2, "0")} min` : `in ${m}:${String(s % 60).padStart(2, "0")}`;
}

function showMatches() {
  if (!schedule.matches.length) {
    $("matches").replaceChildren(Object.assign(document.createElement("li"), { className: "empty", textContent: "No matches ahead — add a schedule source (see the README's Schedules)." }));
    return;
  }
  const now = Date.now() + schedule.skew;
  const when = { timeZone: schedule.timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false };
  $("matches").replaceChildren(...schedule.matches.map((m) => {
    const li = document.createElement("li");
    li.className = m.mine ? "mine" : "";
    const title = m.players.length && m.title !== m.players.join(" vs ") ? `${m.title} · ${m.players.join(" vs ")}` : m.title;
    for (const [cls, text] of [["title", title], ["source", m.source.name], ["when", new Date(m.start).toLocaleString([], when)], ["left", countdown(Date.parse(m.start) - now)]]) {
      li.append(Object.assign(document.createElement("span"), { className: cls, textContent: text }));
    }
    return li;
  }));
}

setInterval(showMatches, 1000);
setInterval(loadSchedules, 60_000);

// ---------------------------------------------------------------- Admin
const adminError = showError($("admin-error"));
const adminMsg = (t) => { $("admin-msg").textContent = t; };
let presets = [];

async function refreshAdmin() {
  try {
    const a = await api("GET", "/api/v1/auth");
    if (a.authenticated) await loadControls(); // filled before shown, so nothing flashes empty
    $("setup-form").hidden = !a.setupRequired;
    $("login-form").hidden = a.setupRequired || a.authenticated;
    $("controls").hidden = $("logout").hidden = !a.authenticated;
  } catch (err) { adminError(err); }
}

async function loadControls() {
  const [list, settings, state, mappings] = await Promise.all([
    api("GET", "/api/v1/presets"), api("GET", "/api/v1/settings"), api("GET", "/api/v1/state"), api("GET", "/api/v1/mappings"),
  ]);
  presets = list;
  const current = mappings.find((m) => m.preset)?.preset;
  $("preset").replaceChildren(...list.map((p) => new Option(p.name, p.id, false, p.id === current)));
  showPresetDesc();
  const pct = Math.round(settings.light.brightness * 100);
  $("brightness").value = String(pct);
  $("brightness-out").textContent = `${pct}%`;
  const base = state.segments[0]?.base.colors[0];
  if (base) $("base-color").value = base;
}

function showPresetDesc() {
  $("preset-desc").textContent = presets.find((p) => p.id === $("preset").value)?.description ?? "";
}

/** Admin actions share one shape: clear messages, call, show the server's error; 401 = session gone. */
const act = (fn) => async (e) => {
  e?.preventDefault();
  adminError(null);
  adminMsg("");
  try { await fn(); } catch (err) {
    adminError(err);
    if (err.status === 401) refreshAdmin();
  }
};

$("setup-form").addEventListener("submit", act(async () => {
  await api("POST", "/api/v1/auth/setup", { code: $("setup-code").value, password: $("setup-password").value });
  $("setup-form").reset();
  adminMsg("Password set — you are logged in.");
  await refreshAdmin();
}));

$("login-form").addEventListener("submit", act(async () => {
  await api("POST", "/api/v1/auth/login", { password: $("login-password").value });
  $("login-form").reset();
  await refreshAdmin();
}));

$("logout").addEventListener("click", act(async () => {
  await api("POST", "/api/v1/auth/logout");
  await refreshAdmin();
}));

$("preset").addEventListener("change", showPresetDesc);
$("preset-form").addEventListener("submit", act(async () => {
  const p = presets.find((x) => x.id === $("preset").value);
  const r = await api("POST", `/api/v1/presets/${encodeURIComponent(p.id)}/apply`);
  await loadControls(); // the preset may bring its own base colour
  adminMsg(`Applied ${p.name} (${r.mappings} mappings).`);
}));

const putBrightness = throttled((v) => act(() => api("PUT", "/api/v1/settings", { light: { brightness: v / 100 } }))(), 100);
$("brightness").addEventListener("input", (e) => {
  $("brightness-out").textContent = `${e.target.value}%`;
  putBrightness(Number(e.target.value));
});

const putBase = throttled((hex) => act(() => api("PUT", "/api/v1/scene/base", { colors: [hex], transitionMs: 200 }))(), 120);
$("base-color").addEventListener("input", (e) => putBase(e.target.value));

connect();
refreshAdmin();
loadSchedules();
