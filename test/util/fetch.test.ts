// fetchText against a hostile server on loopback: every way an answer can go wrong is one line in
// words naming the host, and never the full URL (a calendar's may carry a secret).
import { afterAll, describe, expect, test } from "bun:test";
import { fetchText } from "../../src/util/fetch.ts";
import { closedPort, fakeHttp } from "../schedules/fakes.ts";

const http = fakeHttp(() => ({ kind: "ok", body: "hello", type: "text/plain" }));
afterAll(() => http.close());
const host = `127.0.0.1:${http.port}`;
const url = `${http.url}/private/s3cret-token/basic.ics`;
const get = (opts: Partial<Parameters<typeof fetchText>[1]> = {}) => fetchText(url, { timeoutMs: 2000, maxBytes: 1024, ...opts });
const failure = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (err: Error) => err);
  expect(e).not.toBeNull();
  expect(e!.message).not.toContain("s3cret");
  return e!.message;
};

describe("fetchText", () => {
  test("the body as text, with the Accept header asked for", async () => {
    expect(await get({ accept: "text/calendar" })).toBe("hello");
    expect(http.requests.at(-1)).toMatchObject({ path: "/private/s3cret-token/basic.ics", accept: "text/calendar" });
  });

  test("an HTTP error status", async () => {
    http.queue.push({ kind: "status", status: 503 });
    expect(await failure(get())).toBe(`${host} answered HTTP 503`);
  });

  test("a body over the cap: declared, or streamed without a length", async () => {
    http.queue.push({ kind: "huge", bytes: 4096, declare: true });
    expect(await failure(get())).toBe(`the reply from ${host} is over 1024 bytes`);
    http.queue.push({ kind: "huge", bytes: 64 << 20, declare: false });
    expect(await failure(get())).toBe(`the reply from ${host} is over 1024 bytes`);
  });

  test("a reset mid-reply", async () => {
    http.queue.push({ kind: "reset", body: "BEGIN:VCALENDAR\r\n".repeat(20), after: 100 });
    expect(await failure(get())).toBe(`the connection to ${host} closed before the reply was complete`);
  });

  test("a reply slower than the timeout, which covers the body too", async () => {
    http.queue.push({ kind: "slow", body: "BEGIN:VCALENDAR", everyMs: 200 });
    expect(await failure(get({ timeoutMs: 1000 }))).toBe(`timeout after 1 s waiting for ${host}`);
  });

  test("a closed port", async () => {
    const port = closedPort();
    expect(await failure(fetchText(`http://127.0.0.1:${port}/s3cret`, { timeoutMs: 2000, maxBytes: 1024 }))).toBe(`cannot connect to 127.0.0.1:${port} (connection refused)`);
  });
});
