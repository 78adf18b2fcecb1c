// Reading replies from peers on the LAN (game APIs, schedules): a body is read with a cap, so a
// peer that sends without end costs at most `maxBytes`, and a connection that breaks off in the
// middle is said in plain words.

/** The body as text; throws "over N bytes" past the cap, or why the reply broke off. */
export async function readCapped(res: Response, maxBytes: number, from: string): Promise<string> {
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body?.cancel();
    throw new Error(`the reply from ${from} is over ${maxBytes} bytes`);
  }
  const reader = res.body?.getReader();
  if (!reader) return "";
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw new Error(`the reply from ${from} is over ${maxBytes} bytes`);
      }
      parts.push(value);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.message.startsWith("the reply from")) throw err;
    throw new Error(err.name === "TimeoutError" || err.name === "AbortError" ? `the reply from ${from} did not finish in time` : `the reply from ${from} broke off (${err.code ?? err.message})`);
  }
  return new TextDecoder().decode(Buffer.concat(parts));
}
