// The log: every line goes to stdout (journald on the appliance) and into a small ring that the
// page's System view shows, so an owner sees what happened without a shell.

export type Log = (msg: string) => void;

export class LogRing {
  private lines: string[] = [];

  constructor(private readonly capacity = 500) {}

  push(line: string): void {
    this.lines.push(`${new Date().toISOString()} ${line}`);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The newest `n` lines, oldest first. */
  tail(n = this.capacity): string[] {
    return this.lines.slice(-n);
  }
}

/** A log that prints and keeps the line. */
export const ringLog = (ring: LogRing, print: Log = (m) => console.log(m)): Log => (msg) => {
  print(msg);
  ring.push(msg);
};
