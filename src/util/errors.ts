// Domain errors: what went wrong in the domain's own terms. Services throw them; each edge maps
// the kind to its own answer (HTTP a status code, MQTT a message on the error topic).

export type ErrorKind =
  | "invalid" // the input breaks a rule; the message names the field
  | "unauthorized" // no valid credential
  | "forbidden" // a credential, but not from here (origin, host)
  | "not-found"
  | "conflict" // valid, but not in the current state (name taken, disabled, already set up)
  | "too-large"
  | "unsupported" // a body in a format the endpoint does not take
  | "rate-limited"
  | "unavailable"; // a resource the device needs is missing (disk full, database damaged)

export class DomainError extends Error {
  constructor(readonly kind: ErrorKind, message: string) {
    super(message);
  }
}

export const invalid = (message: string): never => {
  throw new DomainError("invalid", message);
};

export const notFound = (message: string): never => {
  throw new DomainError("not-found", message);
};

export const conflict = (message: string): never => {
  throw new DomainError("conflict", message);
};

/** An error's message for logs and status fields, whatever was thrown. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
