// A fixed-rate clock aimed at absolute deadlines (setInterval drifts under Bun): frame k is
// due at t0 + k·period; a late frame is not made up by bursting, the missed ones count as overruns.
import { round2, round3, SampleRing } from "./stats.ts";

export type Now = () => number;
const WINDOW = 600; // ten seconds at 60 fps

export class FrameClock {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private t0 = 0;
  private k = 0;
  private lastTick = -1;
  private readonly intervals = new SampleRing(WINDOW);
  private readonly renders = new SampleRing(WINDOW);
  private readonly ticks = new SampleRing(WINDOW);
  frames = 0;
  overruns = 0;

  constructor(private fps: number, private readonly onFrame: (tMs: number, frame: number) => void, readonly now: Now = performance.now.bind(performance)) {}

  get period() {
    return 1000 / this.fps;
  }

  get running() {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.t0 = this.now();
    this.k = 0;
    this.lastTick = -1;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Changes the rate from the next frame on, keeping time continuous. */
  setFps(fps: number): void {
    if (fps === this.fps) return;
    this.fps = fps;
    this.t0 = this.now();
    this.k = 0;
    this.intervals.clear();
    this.renders.clear();
    this.ticks.clear();
  }

  private schedule(): void {
    const due = this.t0 + this.k * this.period;
    this.timer = setTimeout(this.tick, Math.max(0, due - this.now()));
  }

  private readonly tick = (): void => {
    const start = this.now();
    if (this.lastTick >= 0) this.intervals.push(start - this.lastTick);
    this.lastTick = start;
    this.ticks.push(start);
    try {
      this.onFrame(start, this.frames);
    } finally {
      this.frames++;
      const end = this.now();
      this.renders.push(end - start);
      this.k++;
      // Deadlines already past are skipped rather than rendered as a burst of stale frames.
      const slot = Math.floor((end - this.t0) / this.period);
      if (slot >= this.k) {
        this.overruns += slot - this.k + 1;
        this.k = slot + 1;
      }
      if (this.timer) this.schedule();
    }
  };

  stats() {
    const t = this.ticks.values();
    const span = t.length > 1 ? t[t.length - 1] - t[0] : 0;
    const iv = this.intervals.summary();
    const rt = this.renders.summary();
    return {
      targetFps: this.fps,
      deliveredFps: span > 0 ? round2(((t.length - 1) * 1000) / span) : 0,
      intervalMs: { p50: round2(iv.p50), p99: round2(iv.p99), max: round2(iv.max) },
      renderMs: { p50: round3(rt.p50), p99: round3(rt.p99) },
      frames: this.frames,
      overruns: this.overruns,
    };
  }
}
