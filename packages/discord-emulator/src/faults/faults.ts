// Fault injection for tests: REST latency and failing the next N calls with a 5xx. Gateway drops are
// done by the gateway server itself (see GatewayServer.drop).

export interface FailureSpec {
  /** HTTP status to answer with (5xx). */
  status: number;
  /** Only requests whose route key (`METHOD /template`) contains this string. */
  route?: string;
}

export class RestFaults {
  latencyMs = 0;
  private readonly failures: FailureSpec[] = [];

  /** The next `count` REST calls (matching `route`, if given) answer `status` (default 500). */
  failNext(count: number, options: Partial<FailureSpec> = {}): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new TypeError(`Expected \`count\` to be an integer from 1 and up, got \`${count}\``);
    }
    const status = options.status ?? 500;
    if (status < 500 || status > 599) {
      throw new TypeError(`Expected \`status\` to be a 5xx status, got \`${status}\``);
    }
    for (let i = 0; i < count; i++)
      this.failures.push({ status, ...(options.route ? { route: options.route } : {}) });
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`Expected \`ms\` to be 0 or more, got \`${ms}\``);
    this.latencyMs = ms;
  }

  /** Consumes and returns the failure this request should get, if any. */
  takeFailure(routeKey: string): FailureSpec | null {
    const i = this.failures.findIndex((f) => !f.route || routeKey.includes(f.route));
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
