// Route table matching: `METHOD /path/:param` templates to handlers, with what each route needs (auth,
// rate-limit bucket, major parameter, whether it writes to a channel).

import type { EmulatorCore } from "../core.js";
import type { BucketName } from "../ratelimit/limiter.js";
import type { UploadedFile } from "./body.js";

export interface RouteContext {
  method: RouteDefinition["method"];
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  files: UploadedFile[];
  core: EmulatorCore;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

export interface RouteDefinition {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  handle: RouteHandler;
  /** "bot" (default) needs `Authorization: Bot <token>`; interaction and webhook routes use their token. */
  auth?: "bot" | "none";
  bucket?: BucketName;
  /** The param the rate-limit bucket is kept per (Discord's major parameter). */
  major?: string;
  /** Consumes the channel's shared write limit (message creates and edits). */
  channelWrite?: boolean;
}

export interface MatchedRoute {
  route: RouteDefinition;
  params: Record<string, string>;
  /** `METHOD /template`, used for counters and bucket hashes. */
  key: string;
}

export class Router {
  private readonly routes: { route: RouteDefinition; segments: string[] }[] = [];

  add(...routes: RouteDefinition[]): this {
    for (const route of routes) this.routes.push({ route, segments: route.path.split("/").filter(Boolean) });
    return this;
  }

  match(method: string, path: string): MatchedRoute | null {
    const parts = path.split("/").filter(Boolean);
    // Literal segments win over params (e.g. /messages/pins before /messages/:message_id).
    let best: { match: MatchedRoute; literals: number } | null = null;
    for (const { route, segments } of this.routes) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i]!;
        const part = parts[i]!;
        if (seg.startsWith(":")) {
          params[seg.slice(1)] = decodeURIComponent(part);
        } else if (seg === part) {
          literals += 1;
        } else {
          ok = false;
          break;
        }
      }
      if (ok && (!best || literals > best.literals)) {
        best = { match: { route, params, key: `${method} ${route.path}` }, literals };
      }
    }
    return best?.match ?? null;
  }

  /** Whether any route exists for this path under another method (405 vs 404). */
  has(path: string): boolean {
    return ["GET", "POST", "PUT", "PATCH", "DELETE"].some((m) => this.match(m, path));
  }
}
