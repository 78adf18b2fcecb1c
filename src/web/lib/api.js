// Talking to the device: JSON in and out, and errors in words a person can act on.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** JSON request; throws the server's `{error}` text as it is, or says the device is unreachable. */
export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError("ledbox is not reachable: is it on, and is this device on the same network?", 0);
  }
  const data = await res.json().catch(() => ({}));
  if (res.ok) return data;
  if (res.status === 401 && !data.error) throw new ApiError("log in first", 401);
  throw new ApiError(data.error || `ledbox answered ${res.status} ${res.statusText}`, res.status);
}

/**
 * The fields an API error names, for showing each message at its field:
 * "invalid settings: strip.ledCount: Too big: …; outputs.0.host: …" →
 * { "strip.ledCount": "Too big: …", "outputs.0.host": "…" }. What names no field goes under "".
 */
export function fieldErrors(message) {
  const out = {};
  const body = message.replace(/^(invalid [a-z ]+|cannot [a-z]+|could not apply): /, "");
  for (const part of body.split("; ")) {
    const m = /^([A-Za-z_$][\w$]*(?:\.[\w$]+)*): (.+)$/.exec(part);
    if (m) out[m[1]] = m[2];
    else out[""] = out[""] ? `${out[""]}; ${part}` : part;
  }
  return out;
}

/** Starts a download of `content` as a file named `filename`. */
export function download(filename, content, type = "text/plain") {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
