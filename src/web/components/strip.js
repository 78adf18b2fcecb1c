// The live strip, drawn as a strip: LEDs along a tape that turns back at each row's end (a
// serpentine), so a long strip wraps visibly instead of becoming a grid. Segments are marked
// under their LEDs. When the live link is down the picture is dimmed and says so.
import { html } from "../lib/html.js";
import { useEffect, useRef } from "preact/hooks";
import { onLive, useLiveStatus } from "../lib/live.js";

const PITCH_MIN = 13;
const PITCH_MAX = 28;
const SEGMENT_COLORS = ["#4e9cff", "#f4b400", "#0f9d58", "#db4437", "#ab47bc", "#00acc1"];

/** Where each LED sits for `n` LEDs across `width` CSS pixels. */
function layout(n, width) {
  const pad = 16;
  const inner = Math.max(60, width - 2 * pad);
  const pitch = Math.max(PITCH_MIN, Math.min(PITCH_MAX, inner / n));
  const cols = Math.max(1, Math.min(n, Math.floor(inner / pitch)));
  const rows = Math.ceil(n / cols);
  const rowGap = pitch * 1.25;
  const x0 = (width - cols * pitch) / 2;
  const center = (i) => {
    const r = Math.floor(i / cols);
    const c = r % 2 === 0 ? i % cols : cols - 1 - (i % cols);
    return { x: x0 + (c + 0.5) * pitch, y: pad + r * (pitch + rowGap) + pitch / 2 };
  };
  return { n, pitch, cols, rows, rowGap, x0, pad, center, height: Math.ceil(2 * pad + rows * pitch + (rows - 1) * rowGap + 12) };
}

function draw(canvas, geo, frame, segments, stale) {
  const dpr = window.devicePixelRatio || 1;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const { n, pitch, cols, rows, rowGap, center } = geo;
  // The tape: one band per row, joined by a turn at alternate ends.
  ctx.strokeStyle = "#2a2f38";
  ctx.lineWidth = pitch * 0.9;
  ctx.lineCap = "round";
  ctx.beginPath();
  for (let r = 0; r < rows; r++) {
    const first = r * cols, last = Math.min(n, (r + 1) * cols) - 1;
    const a = center(first), b = center(last);
    if (r === 0) ctx.moveTo(a.x, a.y);
    else ctx.lineTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    if (r < rows - 1) {
      const next = center(last + 1);
      const side = r % 2 === 0 ? 1 : -1;
      ctx.arcTo(b.x + side * pitch, b.y, b.x + side * pitch, (b.y + next.y) / 2, (pitch + rowGap) / 2);
      ctx.arcTo(b.x + side * pitch, next.y, next.x, next.y, (pitch + rowGap) / 2);
    }
  }
  ctx.stroke();
  // Segments: a coloured mark under each of their LEDs.
  segments.forEach((s, k) => {
    ctx.fillStyle = SEGMENT_COLORS[k % SEGMENT_COLORS.length];
    for (let i = s.start; i < Math.min(n, s.start + s.length); i++) {
      const c = center(i);
      ctx.fillRect(c.x - pitch / 2, c.y + pitch * 0.5, pitch, 3);
    }
  });
  const r = pitch * 0.32;
  const color = (i) => (frame.length >= (i + 1) * 3 ? `rgb(${frame[i * 3]},${frame[i * 3 + 1]},${frame[i * 3 + 2]})` : "#000");
  // The glow first, then every dot on top: a neighbour's glow never tints an LED's centre.
  if (!stale) {
    ctx.globalAlpha = 0.5;
    for (let i = 0; i < n; i++) {
      const c = center(i);
      ctx.shadowColor = ctx.fillStyle = color(i);
      ctx.shadowBlur = pitch * 0.7;
      ctx.beginPath();
      ctx.arc(c.x, c.y, r, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    ctx.shadowBlur = 0;
  }
  for (let i = 0; i < n; i++) {
    const c = center(i);
    ctx.beginPath();
    ctx.arc(c.x, c.y, r, 0, 2 * Math.PI);
    ctx.fillStyle = color(i);
    ctx.fill();
  }
  if (stale) {
    ctx.fillStyle = "rgba(10, 12, 16, 0.6)";
    ctx.fillRect(0, 0, canvas.width / dpr, canvas.height / dpr);
  }
}

/** The live preview; `segments` are marked under their LEDs. */
export function Strip({ ledCount, segments = [] }) {
  const canvas = useRef(null);
  const live = useLiveStatus();
  const stale = live.state !== "live";
  const state = useRef({ frame: new Uint8Array(0), geo: null, queued: false, drawn: 0 });
  const n = live.hello?.ledCount ?? ledCount ?? 0;

  useEffect(() => {
    const s = state.current;
    const el = canvas.current;
    const redraw = () => {
      s.queued = false;
      const width = el.clientWidth || 320;
      if (!s.geo || s.geo.n !== n || s.geo.width !== width) {
        s.geo = { ...layout(n, width), width };
        const dpr = window.devicePixelRatio || 1;
        el.style.height = `${s.geo.height}px`;
        el.width = Math.round(width * dpr);
        el.height = Math.round(s.geo.height * dpr);
      }
      draw(el, s.geo, s.frame, segments, stale);
      s.drawn++;
    };
    const queue = () => {
      if (!s.queued) (s.queued = true), requestAnimationFrame(redraw);
    };
    // For tests and the curious: where LED i sits on the canvas, in device pixels.
    window.ledbox = {
      get framesDrawn() { return s.drawn; },
      ledPixel: (i) => {
        if (!s.geo) return null;
        const c = s.geo.center(i), dpr = window.devicePixelRatio || 1;
        return { x: Math.floor(c.x * dpr), y: Math.floor(c.y * dpr) };
      },
    };
    const off = onLive("frame", (f) => ((s.frame = f), queue()));
    // The next redraw lays the strip out again if the width changed (geo keeps its width).
    const resize = new ResizeObserver(queue);
    resize.observe(el);
    queue();
    return () => (off(), resize.disconnect());
  }, [n, stale, JSON.stringify(segments)]);

  return html`<div class="strip-wrap">
    <canvas ref=${canvas} class=${stale ? "strip stale" : "strip"} role="img"
      aria-label=${stale ? `LED strip preview, not live: ${live.why}` : `Live preview of the ${n}-LED strip`}></canvas>
    ${stale && html`<p class="stale-note" role="status">Not live: ${live.why || "connecting…"}</p>`}
  </div>`;
}
