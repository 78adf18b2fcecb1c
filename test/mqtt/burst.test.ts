// A burst from the broker (a backlog after a reconnect, a relay that floods): mqtt.js hands over
// every message of a socket read at once, so ledbox paces them. The event loop, and with it the
// render loop's timer, gets a turn every few milliseconds of message work, and every message is
// still taken.
import { afterEach, expect, test } from "bun:test";
import { startBox, until } from "../helpers/box.ts";
import { connectPeer, forEachBroker } from "../helpers/brokers.ts";

const ID = "burst01";
const N = 300;

forEachBroker((kind) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  test(`${N} events published at once, each costing 1 ms: all taken, and no turn of the event loop runs more than a handful`, async () => {
    const broker = await kind.start();
    cleanup.push(() => broker.stop());
    const tb = await startBox({ settings: { mqtt: { enabled: true, url: broker.url, deviceId: ID } } });
    cleanup.push(() => tb.stop());
    const peer = await connectPeer(broker.url, [`ledbox/${ID}/status`]);
    cleanup.push(() => peer.close());
    await until(() => tb.box.mqtt.link.connected, "connected");

    // Turns of the event loop, counted by a timer that re-arms itself: what the render loop's timer gets.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setTimeout(tick, 0);
    };
    tick();
    cleanup.push(async () => void (ticking = false));
    // Each event costs a millisecond, as on a slow board: the 4 ms budget then fits about four.
    const perTurn = new Map<number, number>();
    const accept = tb.box.ingest.accept.bind(tb.box.ingest);
    tb.box.ingest.accept = (events) => {
      const end = performance.now() + 1;
      while (performance.now() < end);
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      return accept(events);
    };

    const before = tb.box.ingest.accepted;
    await Promise.all(Array.from({ length: N }, (_, i) => peer.publish(`ledbox/${ID}/event`, JSON.stringify({ type: "custom", name: "burst", id: `b${i}` }))));
    await until(() => tb.box.ingest.accepted - before >= N, `all ${N} events taken`, 20_000);
    expect(tb.box.ingest.accepted - before).toBe(N);
    // Unpaced, one socket read's worth ran in a single turn (89 here): the loop held for 89 ms.
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(8);
    expect(perTurn.size).toBeGreaterThanOrEqual(N / 8);
  });
});
