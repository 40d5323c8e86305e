// HTTP calls out of the extension, each bounded in time, each failure turned into a typed error whose
// `kind` a guard logs once: a sidecar that is down, slow, closes connections, answers 500 or garbage
// costs the run nothing but a stderr line.

/** Why a call failed; `kind` groups failures for once-per-kind logging. */
export class CallError extends Error {
  override readonly name = "CallError";
  constructor(
    /** unreachable | timeout | aborted | malformed_json | status */
    readonly kind: "unreachable" | "timeout" | "aborted" | "malformed_json" | "status",
    message: string,
    /** The HTTP status for `status`; 0 otherwise. */
    readonly status = 0,
    /** The answer's `message` field, when it had one (the sidecar's errors say what to do). */
    readonly serverMessage?: string,
  ) {
    super(message);
  }

  /** Worth trying again later (the far end may recover); false for a refusal that will not change. */
  get retryable(): boolean {
    if (this.kind !== "status") return this.kind !== "aborted";
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

export interface CallOptions {
  method?: "GET" | "POST";
  /** Sent as `Authorization: Bearer …`. */
  token?: string | undefined;
  body?: unknown;
  timeoutMs: number;
  /** Aborts the call early (shutdown). */
  signal?: AbortSignal | undefined;
  /** Parse the answer as JSON (default true); false returns `undefined` as the body. */
  json?: boolean;
}

export interface CallAnswer {
  status: number;
  body: unknown;
}

/** One HTTP call; resolves for 2xx, rejects with a CallError for anything else. */
export async function call(url: string, options: CallOptions): Promise<CallAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw new CallError("aborted", "the call was cancelled");
    if (timeout.aborted) throw new CallError("timeout", `no answer within ${options.timeoutMs} ms`);
    throw new CallError("unreachable", `cannot reach ${new URL(url).host}: ${(error as Error).message}`);
  }
  let body: unknown;
  if (options.json !== false && text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) throw new CallError("malformed_json", "the answer is not JSON", response.status);
    }
  }
  if (!response.ok) {
    const serverMessage =
      body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string"
        ? (body as { message: string }).message
        : undefined;
    throw new CallError("status", `HTTP ${response.status}`, response.status, serverMessage);
  }
  return { status: response.status, body };
}
