// One HTTP GET of a document from outside (a schedule, a calendar, a JSON status, an avatar): a
// timeout over the whole exchange, a cap on what is read (counted while streaming, so a huge or
// endless body costs at most the cap), and failures as one line in words that names the host,
// never the full URL (calendar URLs often carry a secret token).

export interface FetchTextOptions {
  timeoutMs: number;
  maxBytes: number;
  /** The Accept header. */
  accept?: string;
}

export class FetchError extends Error {}

/** The body as text; throws a FetchError saying what went wrong. */
export async function fetchText(url: string, opts: FetchTextOptions): Promise<string> {
  return new TextDecoder().decode((await fetchBytes(url, opts)).bytes);
}

/** The body as bytes, with its content type; throws a FetchError saying what went wrong. */
export async function fetchBytes(url: string, opts: FetchTextOptions): Promise<{ bytes: Uint8Array; type: string }> {
  const host = new URL(url).host;
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: opts.accept ?? "*/*" } });
  } catch (e) {
    throw new FetchError(describe(e, url, opts.timeoutMs));
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new FetchError(`${host} answered HTTP ${res.status}`);
  }
  if (Number(res.headers.get("content-length") ?? 0) > opts.maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new FetchError(`the reply from ${host} is over ${opts.maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > opts.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new FetchError(`the reply from ${host} is over ${opts.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    throw e instanceof FetchError ? e : new FetchError(describe(e, url, opts.timeoutMs));
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), type: res.headers.get("content-type") ?? "" };
}

function describe(e: unknown, url: string, timeoutMs: number): string {
  const { name, code, message } = e as { name?: string; code?: string; message?: string };
  const { host, hostname } = new URL(url);
  if (name === "TimeoutError" || name === "AbortError") return `timeout after ${timeoutMs / 1000} s waiting for ${host}`;
  switch (code) {
    case "ECONNREFUSED":
      return `cannot connect to ${host} (connection refused)`;
    case "ECONNRESET":
      return `the connection to ${host} closed before the reply was complete`;
    case "ENOTFOUND":
      return `cannot resolve host "${hostname}"`;
    case "InvalidHTTPResponse":
      return `${host} sent a malformed HTTP reply`;
  }
  return `cannot fetch from ${host} (${(message ?? String(e)).replaceAll(url, host)})`;
}
