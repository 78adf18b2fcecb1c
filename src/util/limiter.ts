// At most `running` tasks at once and `waiting` more in line; past that a caller is refused at
// once (it answers "busy"), so a burst costs a bounded amount of CPU and memory.

export class Limiter {
  private active = 0;
  private readonly line: (() => void)[] = [];

  constructor(readonly running: number, readonly waiting: number) {}

  /** Resolves when the caller may run (then it must call release), or false when the line is full. */
  async acquire(): Promise<boolean> {
    if (this.active < this.running) {
      this.active++;
      return true;
    }
    if (this.line.length >= this.waiting) return false;
    await new Promise<void>((go) => this.line.push(go));
    return true; // the slot was handed over by release()
  }

  release(): void {
    const next = this.line.shift();
    if (next) next();
    else this.active--;
  }
}
