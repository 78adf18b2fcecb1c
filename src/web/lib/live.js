// The live channel: preview frames (3 bytes per LED) and messages (hello, events, stats,
// heartbeat) over one WebSocket. When it drops, everything shown from it is marked stale at once
// — a dead link must not keep saying "60 fps ok" — and it reconnects by itself, resuming the
// events it missed.
import { useEffect, useState } from "preact/hooks";

const HEARTBEAT_MS = 5000;
const listeners = { frame: new Set(), message: new Set(), status: new Set() };
let ws = null;
let status = { state: "connecting", why: "", hello: null, stats: null };
let lastSeq = null;
let retryMs = 500;
let watchdog = null;

function setStatus(next) {
  status = { ...status, ...next };
  for (const fn of listeners.status) fn(status);
}

function open() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live${lastSeq !== null ? `?since=${lastSeq}` : ""}`;
  const socket = new WebSocket(url);
  ws = socket;
  socket.binaryType = "arraybuffer";
  socket.onmessage = (m) => {
    alive();
    if (typeof m.data !== "string") {
      const frame = new Uint8Array(m.data);
      for (const fn of listeners.frame) fn(frame);
      return;
    }
    const msg = JSON.parse(m.data);
    if (msg.type === "hello") {
      retryMs = 500;
      // A lower number than ours: the device restarted and its numbering began again.
      if (lastSeq === null || msg.lastSeq < lastSeq) lastSeq = msg.lastSeq;
      setStatus({ state: "live", why: "", hello: msg });
    } else if (msg.type === "stats") setStatus({ stats: msg.stats });
    else if (msg.type === "events") {
      // A resume and a live broadcast can overlap: each event once.
      msg.items = msg.items.filter((i) => i.seq > lastSeq);
      if (!msg.items.length) return;
      lastSeq = msg.items[msg.items.length - 1].seq;
    }
    for (const fn of listeners.message) fn(msg);
  };
  socket.onclose = () => lost(socket);
  alive();
}

/** Two missed heartbeats: the link is dead even if the socket has not noticed. */
function alive() {
  clearTimeout(watchdog);
  watchdog = setTimeout(() => lost(ws), 2.5 * HEARTBEAT_MS);
}

async function lost(socket) {
  if (ws !== socket) return;
  // Closing a dead socket can hang in its closing handshake: let it go and start afresh.
  socket.onclose = socket.onmessage = null;
  socket.close();
  ws = null;
  clearTimeout(watchdog);
  setStatus({ state: "stale", why: "ledbox is not reachable" });
  setTimeout(open, retryMs);
  retryMs = Math.min(retryMs * 2, 5000);
  // A refused upgrade looks like any closed socket: ask why in plain HTTP.
  const res = await fetch("/api/v1/health").catch(() => null);
  if (res?.status === 401) setStatus({ why: "reading needs a login or an API token: this device's reads are locked (Account → Access)" });
}

/** Subscribes to frames, messages or status changes; returns the unsubscribe function. */
export function onLive(kind, fn) {
  if (!ws && status.state === "connecting") open();
  listeners[kind].add(fn);
  if (kind === "status") fn(status);
  return () => listeners[kind].delete(fn);
}

/** The connection's state: "connecting", "live" or "stale" (with why), its hello and the latest stats. */
export function useLiveStatus() {
  const [s, set] = useState(status);
  useEffect(() => onLive("status", set), []);
  return s;
}

/** The latest events that pass `filter`, newest first (at most `max`). */
export function useLiveEvents(max = 30, filter = () => true) {
  const [events, set] = useState([]);
  useEffect(() => onLive("message", (m) => {
    if (m.type !== "events") return;
    const fresh = m.items.filter((i) => filter(i.event)).reverse();
    if (fresh.length) set((old) => [...fresh, ...old].slice(0, max));
  }), []);
  return events;
}
