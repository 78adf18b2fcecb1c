// UDP socket errors. A closed port on a live host answers with ICMP "port unreachable", which
// Linux reports as ECONNREFUSED on the socket's next receive; without an `error` handler that
// error escapes and ends the process.

export type SocketError = Error & { code?: string };

/**
 * An `error` handler for Bun.udpSocket. Bun's types say it is called with (socket, error), but
 * Bun 1.4 calls it with (error) alone: take the error from whichever argument holds it.
 */
export const onUdpError = (fn: (err: SocketError) => void) => (...args: unknown[]) => {
  const err = args.find((a) => a instanceof Error) as SocketError | undefined;
  fn(err ?? new Error("unknown UDP socket error"));
};

/** The error in words, for a peer's status. */
export const udpErrorText = (err: SocketError, peer: string): string =>
  err.code === "ECONNREFUSED" ? `nothing answers on UDP ${peer}: its host says the port is closed` : `UDP error with ${peer}: ${err.message}`;
