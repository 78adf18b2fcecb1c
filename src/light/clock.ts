// A fixed-rate clock aimed at absolute deadlines (setInterval drifts under Bun): frame k is
// due at t0 + k·period; frames missed by more than half a period are skipped and counted as overruns.
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
  frameErrors = 0;
  lastFrameError: string | null = null;

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
    // Rounded up: Bun's setTimeout drops the fraction, which fired frames up to ~0.9 ms early.
    this.timer = setTimeout(this.tick, Math.max(0, Math.ceil(due - this.now())));
  }

  private readonly tick = (): void => {
    const start = this.now();
    if (this.lastTick >= 0) this.intervals.push(start - this.lastTick);
    this.lastTick = start;
    this.ticks.push(start);
    try {
      this.onFrame(start, this.frames);
    } catch (err) {
      // A frame that throws costs that frame, never the loop (an error escaping a timer would end the process).
      this.frameErrors++;
      this.lastFrameError = err instanceof Error ? err.message : String(err);
    } finally {
      this.frames++;
      const end = this.now();
      this.renders.push(end - start);
      this.k++;
      // A deadline missed by up to half a period is still rendered (late, at once); one missed
      // by more is skipped and counted, so a long stall never turns into a burst of stale frames.
      const next = Math.max(this.k, Math.ceil((end - this.t0) / this.period - 0.5));
      this.overruns += next - this.k;
      this.k = next;
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
      frameErrors: this.frameErrors,
      lastFrameError: this.lastFrameError,
      overruns: this.overruns,
    };
  }
}
