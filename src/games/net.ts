// What went wrong with a connector's connection (the LoL poller, the Rocket League client), in the
// plain words an integration's status shows.

/** A failed connect or a broken connection, from the error's code. */
export function connectionProblem(err: unknown, host: string): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return `cannot resolve host "${host}"`;
    case "ECONNRESET":
    case "EPIPE":
      return "the connection was reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "the connection timed out";
  }
  return typeof message === "string" ? message : String(err);
}

/** 250 → "0.25 s", 10000 → "10 s". */
export const seconds = (ms: number) => `${+(ms / 1000).toFixed(2)} s`;
