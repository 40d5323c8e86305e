// What the emulator served, for tests and benchmarks to assert on: requests per route, 429s, errors.

export interface CountersSnapshot {
  /** Requests per `METHOD /route/template`. */
  requests: Record<string, number>;
  totalRequests: number;
  /** 429 answers, total and per route and per scope (user, shared, global). */
  rateLimited: number;
  rateLimitedByRoute: Record<string, number>;
  rateLimitedByScope: Record<string, number>;
  /** 400 Invalid Form Body (50035) answers. */
  validationErrors: number;
  /** Every error answer by Discord JSON code (0 for plain HTTP errors). */
  errorsByCode: Record<string, number>;
  /** 5xx answers injected by faults. */
  injectedFailures: number;
  gateway: {
    connections: number;
    identifies: number;
    resumes: number;
    invalidSessions: number;
    dispatches: number;
  };
}

const bump = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

export class RestCounters {
  private requests: Record<string, number> = {};
  private rateLimitedByRoute: Record<string, number> = {};
  private rateLimitedByScope: Record<string, number> = {};
  private errorsByCode: Record<string, number> = {};
  private validationErrors = 0;
  private injectedFailures = 0;

  request(route: string): void {
    bump(this.requests, route);
  }
  rateLimited(route: string, scope: string): void {
    bump(this.rateLimitedByRoute, route);
    bump(this.rateLimitedByScope, scope);
  }
  error(code: number): void {
    bump(this.errorsByCode, String(code));
    if (code === 50035) this.validationErrors += 1;
  }
  injectedFailure(): void {
    this.injectedFailures += 1;
  }

  snapshot(gateway: CountersSnapshot["gateway"]): CountersSnapshot {
    const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
    return {
      requests: { ...this.requests },
      totalRequests: sum(this.requests),
      rateLimited: sum(this.rateLimitedByRoute),
      rateLimitedByRoute: { ...this.rateLimitedByRoute },
      rateLimitedByScope: { ...this.rateLimitedByScope },
      validationErrors: this.validationErrors,
      errorsByCode: { ...this.errorsByCode },
      injectedFailures: this.injectedFailures,
      gateway: { ...gateway },
    };
  }

  reset(): void {
    this.requests = {};
    this.rateLimitedByRoute = {};
    this.rateLimitedByScope = {};
    this.errorsByCode = {};
    this.validationErrors = 0;
    this.injectedFailures = 0;
  }
}
