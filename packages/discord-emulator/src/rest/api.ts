// The REST v10 request pipeline: latency and failure faults, routing, bot-token auth, rate limits, body
// parsing, the handler, and Discord-shaped errors, with counters kept along the way.

import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorCore } from "../core.js";
import { parseBody, readRaw } from "./body.js";
import { notFound, RestError, unauthorized } from "./errors.js";
import type { RouteResult, Router } from "./router.js";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = status === 204 || body === undefined ? null : Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...headers,
    ...(payload ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
  });
  res.end(payload ?? undefined);
}

export class RestApi {
  constructor(
    private readonly core: EmulatorCore,
    private readonly router: Router,
  ) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const { core } = this;
    const method = req.method ?? "GET";
    if (core.faults.latencyMs > 0) await sleep(core.faults.latencyMs);
    const match = this.router.match(method, path);
    if (!match) {
      await readRaw(req);
      const error = this.router.has(path) ? new RestError(405, 0, "405: Method Not Allowed") : notFound();
      // Named with ids masked, so a route the emulator lacks shows up once in the counters.
      core.counters.request(`${method} ${path.replace(/\/\d{5,}/g, "/:id")} (unknown route)`);
      core.counters.error(error.code);
      sendJson(res, error.status, error.body);
      return;
    }
    core.counters.request(match.key);
    const raw = await readRaw(req);

    const failure = core.faults.takeFailure({
      routeKey: match.key,
      multipart: req.headers["content-type"]?.startsWith("multipart/form-data") ?? false,
      ...(match.params.channel_id ? { channelId: match.params.channel_id } : {}),
    });
    if (failure) {
      core.counters.injectedFailure();
      sendJson(res, failure.status, {
        message: `${failure.status}: injected failure`,
        code: failure.code ?? 0,
      });
      return;
    }

    const auth = match.route.auth ?? "bot";
    if (auth === "bot" && req.headers.authorization !== `Bot ${core.settings.botToken}`) {
      const error = unauthorized();
      core.counters.error(error.code);
      sendJson(res, error.status, error.body);
      return;
    }

    const major = match.route.major ? (match.params[match.route.major] ?? "") : "";
    const decision = core.limiter.check({
      bucket: match.route.bucket ?? "defaultRoute",
      routeKey: match.key,
      major,
      ...(match.route.channelWrite ? { writeChannelId: match.params.channel_id! } : {}),
      global: auth === "bot",
    });
    if (decision.rejection) {
      core.counters.rateLimited(match.key, decision.rejection.scope);
      sendJson(res, 429, decision.rejection.body, decision.headers);
      return;
    }

    let result: RouteResult;
    try {
      const body = await parseBody(raw, req.headers["content-type"]);
      result = await match.route.handle({
        method: match.route.method,
        params: match.params,
        query,
        body: body.json,
        files: body.files,
        core,
      });
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      core.counters.error(error.code);
      sendJson(res, error.status, error.body, decision.headers);
      return;
    }
    sendJson(res, result.status ?? 200, result.body, decision.headers);
  }
}
