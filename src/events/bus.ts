// The event bus: typed publish/subscribe where one subscriber's failure or slowness stays its own.
// A subscriber returning a promise is not awaited by publish; while it is busy, newer events wait
// in its own bounded queue (oldest dropped and counted), so nothing upstream ever waits on it.
import type { GameEvent } from "./schema.ts";

export type Subscriber = (e: GameEvent) => void | Promise<void>;

const QUEUE_LIMIT = 1000;

class Subscription {
  busy = false;
  queue: GameEvent[] = [];
  delivered = 0;
  dropped = 0;
  errors = 0;
  lastError: string | null = null;

  constructor(readonly name: string, readonly fn: Subscriber, private readonly log: (msg: string) => void) {}

  offer(e: GameEvent): void {
    if (!this.busy) return this.run(e);
    if (this.queue.length >= QUEUE_LIMIT) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(e);
  }

  private run(e: GameEvent): void {
    try {
      const r = this.fn(e);
      this.delivered++;
      if (r instanceof Promise) {
        this.busy = true;
        r.catch((err) => this.fail(err)).finally(() => {
          this.busy = false;
          // Drain until a call goes async again: a subscriber that is only sometimes async would
          // otherwise leave the rest of its queue stuck (and later events overtaking it).
          while (!this.busy && this.queue.length) this.run(this.queue.shift()!);
        });
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.errors++;
    this.lastError = err instanceof Error ? err.message : String(err);
    this.log(`[bus] subscriber "${this.name}" failed: ${this.lastError}`);
  }
}

export class EventBus {
  private subs: Subscription[] = [];
  published = 0;

  constructor(private readonly log: (msg: string) => void = console.error) {}

  /** Registers under a name (for health and logs); returns the unsubscribe function. */
  subscribe(name: string, fn: Subscriber): () => void {
    const sub = new Subscription(name, fn, this.log);
    this.subs = [...this.subs, sub];
    return () => {
      this.subs = this.subs.filter((s) => s !== sub);
    };
  }

  publish(e: GameEvent): void {
    this.published++;
    const subs = this.subs;
    for (let i = 0; i < subs.length; i++) subs[i].offer(e);
  }

  health() {
    return this.subs.map(({ name, delivered, dropped, errors, lastError, queue }) => ({
      name, delivered, dropped, errors, lastError, queued: queue.length,
    }));
  }
}
