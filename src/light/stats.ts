// Fixed-size rings of recent samples; percentiles are computed on request, never per frame.

export class SampleRing {
  private readonly data: Float64Array;
  private n = 0;
  private next = 0;

  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }

  push(v: number): void {
    this.data[this.next] = v;
    this.next = (this.next + 1) % this.data.length;
    if (this.n < this.data.length) this.n++;
  }

  get size() {
    return this.n;
  }

  /** Samples oldest first. */
  values(): Float64Array {
    const out = new Float64Array(this.n);
    const start = this.n < this.data.length ? 0 : this.next;
    for (let i = 0; i < this.n; i++) out[i] = this.data[(start + i) % this.data.length];
    return out;
  }

  summary() {
    const v = this.values().sort();
    const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : 0);
    return { p50: at(0.5), p99: at(0.99), max: v.length ? v[v.length - 1] : 0 };
  }

  clear(): void {
    this.n = 0;
    this.next = 0;
  }
}

export const round2 = (v: number) => Math.round(v * 100) / 100;
export const round3 = (v: number) => Math.round(v * 1000) / 1000;
