// Fault injection for tests: REST latency and failing the next N calls with a 5xx, or with a 4xx and a
// Discord error code (a refused body, missing access). Gateway drops are done by the gateway server
// itself (see GatewayServer.drop).

export interface FailureSpec {
  /** HTTP status to answer with: a 5xx, or a 4xx other than 429 (rate limits have their own model). */
  status: number;
  /** Only requests whose route key (`METHOD /template`) contains this string. */
  route?: string;
  /** Discord's JSON error code in the body (default 0), e.g. 50001 Missing Access or 40005 too large. */
  code?: number;
  /** Only requests that upload files (multipart bodies), as a server that refuses uploads would. */
  uploadsOnly?: boolean;
  /**
   * Only requests for this channel (the route's `channel_id`), so a failure meant for one thread is
   * never taken by another channel's message sent in the meantime.
   */
  channelId?: string;
}

/** What the pipeline knows about a request when it asks whether to fail it. */
export interface FaultRequest {
  routeKey: string;
  /** The body is multipart/form-data, i.e. it carries files. */
  multipart: boolean;
  /** The route's `channel_id`, when it has one. */
  channelId?: string;
}

function isFailureStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 400 && status <= 599 && status !== 429;
}

export class RestFaults {
  latencyMs = 0;
  private readonly failures: FailureSpec[] = [];

  /** The next `count` REST calls (matching `route`, `uploadsOnly` and `channelId`, if given) answer `status` (default 500). */
  failNext(count: number, options: Partial<FailureSpec> = {}): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new TypeError(`Expected \`count\` to be an integer from 1 and up, got \`${count}\``);
    }
    const status = options.status ?? 500;
    if (!isFailureStatus(status)) {
      throw new TypeError(`Expected \`status\` to be a 4xx (not 429) or 5xx status, got \`${status}\``);
    }
    if (options.code !== undefined && !Number.isInteger(options.code)) {
      throw new TypeError(`Expected \`code\` to be an integer, got \`${String(options.code)}\``);
    }
    if (options.channelId !== undefined && !/^\d{1,20}$/.test(options.channelId)) {
      throw new TypeError(`Expected \`channelId\` to be a snowflake, got \`${String(options.channelId)}\``);
    }
    for (let i = 0; i < count; i++)
      this.failures.push({
        status,
        ...(options.route ? { route: options.route } : {}),
        ...(options.code !== undefined ? { code: options.code } : {}),
        ...(options.uploadsOnly ? { uploadsOnly: true } : {}),
        ...(options.channelId !== undefined ? { channelId: options.channelId } : {}),
      });
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`Expected \`ms\` to be 0 or more, got \`${ms}\``);
    this.latencyMs = ms;
  }

  /** Consumes and returns the failure this request should get, if any. */
  takeFailure(request: FaultRequest): FailureSpec | null {
    const i = this.failures.findIndex(
      (f) =>
        (!f.route || request.routeKey.includes(f.route)) &&
        (!f.uploadsOnly || request.multipart) &&
        (f.channelId === undefined || f.channelId === request.channelId),
    );
    if (i < 0) return null;
    return this.failures.splice(i, 1)[0]!;
  }

  get pendingFailures(): number {
    return this.failures.length;
  }

  clear(): void {
    this.failures.length = 0;
    this.latencyMs = 0;
  }
}
