// A bounded ring of recent events, numbered, so a live client can resume after a reconnect.
import type { GameEvent } from "./schema.ts";

export interface Numbered {
  seq: number;
  event: GameEvent;
}

export class EventRing {
  private items: (Numbered | undefined)[];
  private head = 0;
  lastSeq = 0;

  constructor(readonly capacity = 512) {
    this.items = new Array(capacity);
  }

  push(event: GameEvent): Numbered {
    const n = { seq: ++this.lastSeq, event };
    this.items[this.head] = n;
    this.head = (this.head + 1) % this.capacity;
    return n;
  }

  /** Events after seq, oldest first (as many as the ring still holds). */
  since(seq: number, limit = this.capacity): Numbered[] {
    const out: Numbered[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const n = this.items[(this.head + i) % this.capacity];
      if (n && n.seq > seq) out.push(n);
    }
    return out.slice(-limit);
  }
}
