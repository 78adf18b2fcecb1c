// A set of retained documents kept in step with what they describe: only a document that changed
// is published again, and one no longer wanted gets an empty retained payload, which deletes the
// broker's copy (and, for a discovery config, the entity in Home Assistant).

export type Publish = (topic: string, payload: string) => void;

export class RetainedSet {
  /** topic → the payload last published. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly publish: Publish) {}

  /** After a (re)connect everything goes out again: the broker may have lost it. */
  reset(): void {
    this.sent.clear();
  }

  /** Makes the broker hold `docs`; topics in `always` are published even when unchanged. True if anything went out. */
  sync(docs: ReadonlyMap<string, string>, always: ReadonlySet<string> = new Set()): boolean {
    let changed = false;
    for (const [topic, payload] of docs) {
      if (this.sent.get(topic) === payload && !always.has(topic)) continue;
      this.publish(topic, payload);
      this.sent.set(topic, payload);
      changed = true;
    }
    for (const topic of this.sent.keys()) {
      if (docs.has(topic)) continue;
      this.publish(topic, "");
      this.sent.delete(topic);
      changed = true;
    }
    return changed;
  }
}
