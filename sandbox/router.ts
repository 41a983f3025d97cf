// The sandbox's tiny HTTP layer: route matching, body parsing, a record of every request
// (so tests can assert what the product called) and per-route fault injection hooks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  cookies: Record<string, string>;
  params: Record<string, string>;
  rawBody: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  /** Parsed form body for application/x-www-form-urlencoded. */
  form: URLSearchParams;
  /** Set when the body claimed to be JSON but was not parseable. */
  malformedJson: boolean;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON; strings as-is (set content-type in headers). */
  body?: unknown;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  method: string;
  /** Path with `:name` segments, e.g. `/v1/partnermanager/partners/:partnerId/policy/map`. */
  path: string;
  handler: Handler;
}

export interface RecordedRequest {
  system: string;
  method: string;
  path: string;
  /** Route pattern that matched, or undefined for 404s. */
  route?: string;
  status: number;
  at: string;
  /** The parsed request body (tests assert on what was sent). */
  body: unknown;
  /** The fault injected into this request, if any (see faults.ts). */
  fault?: string;
  /** For contract checks: the request's content type, its credentials' shape (never their values) and the query. */
  contentType?: string;
  authorizationScheme?: string;
  cookieNames?: string[];
  query?: Record<string, string>;
  /** The body the route answered (objects as sent, text as a string). */
  response?: unknown;
}

export const json = (
  body: unknown,
  status = 200,
  headers: Record<string, string | string[]> = {},
): SandboxResponse => ({
  status,
  body,
  headers,
});

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${pattern}$`), names };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * A hook run before each matched route (fault injection): `handled` when it answered (or
 * dropped the connection) instead of the route, `continue` to run the route as usual; the
 * object form also names the fault, for the request log.
 */
export type Interceptor = (
  system: string,
  route: Route,
  req: SandboxRequest,
  res: ServerResponse,
) => Promise<'handled' | 'continue' | { outcome: 'handled' | 'continue'; fault?: string }>;

export class SandboxService {
  private readonly compiled: { route: Route; regex: RegExp; names: string[] }[];
  private server?: Server;
  interceptor?: Interceptor;

  constructor(
    readonly system: string,
    routes: Route[],
    private readonly log: RecordedRequest[],
    private readonly fallback?: Handler,
  ) {
    this.compiled = routes.map((route) => ({ route, ...compile(route.path) }));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'sandbox_internal_error', message: String(err) }));
        }
      });
    });
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '');
    let parsed: unknown;
    let malformedJson = false;
    if (rawBody && contentType.includes('json')) {
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        malformedJson = true;
      }
    }
    const sreq: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      cookies: parseCookies(req.headers.cookie),
      params: {},
      rawBody,
      json: parsed,
      form: contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(rawBody) : new URLSearchParams(),
      malformedJson,
    };
    const record: RecordedRequest = {
      system: this.system,
      method: sreq.method,
      path: sreq.path,
      status: 0,
      at: new Date().toISOString(),
      body: parsed ?? (sreq.form.size ? Object.fromEntries(sreq.form) : undefined),
      contentType: req.headers['content-type'],
      authorizationScheme:
        typeof req.headers.authorization === 'string' ? req.headers.authorization.split(' ')[0] : undefined,
      cookieNames: Object.keys(sreq.cookies),
      query: Object.fromEntries(sreq.query),
    };
    this.log.push(record);

    let match: { route: Route; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const c of this.compiled) {
      const m = c.regex.exec(sreq.path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== sreq.method) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      match = { route: c.route, params };
      break;
    }
    if (!match) {
      const out = this.fallback
        ? await this.fallback(sreq)
        : json(
            {
              status: pathMatched ? 405 : 404,
              error: pathMatched ? 'Method Not Allowed' : 'Not Found',
              path: sreq.path,
            },
            pathMatched ? 405 : 404,
          );
      record.status = out.status;
      this.write(res, out);
      return;
    }
    record.route = match.route.path;
    sreq.params = match.params;
    if (this.interceptor) {
      const answer = await this.interceptor(this.system, match.route, sreq, res);
      const verdict = typeof answer === 'string' ? { outcome: answer } : answer;
      if ('fault' in verdict && verdict.fault) record.fault = verdict.fault;
      if (verdict.outcome === 'handled') {
        // -1: no answer was sent (reset, hang, dropped).
        record.status = res.headersSent ? res.statusCode : -1;
        return;
      }
    }
    const out = await match.route.handler(sreq);
    record.status = out.status;
    record.response = out.body;
    this.write(res, out);
  }

  private write(res: ServerResponse, out: SandboxResponse): void {
    const headers: Record<string, string | string[]> = { ...out.headers };
    let payload: string | undefined;
    if (out.body !== undefined) {
      if (typeof out.body === 'string') {
        payload = out.body;
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      } else {
        payload = JSON.stringify(out.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    res.writeHead(out.status, headers);
    res.end(payload);
  }
}
