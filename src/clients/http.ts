// One place where every client sends HTTP: timeouts, error classification and response
// validation. Bodies and headers are never logged here: they carry credentials.
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { ContractViolation, RemoteRejection, TransientRemoteError, type RemoteSystem } from './errors.js';

export interface HttpOptions {
  /** Per-request timeout for headers and body. */
  timeoutMs?: number;
  /** Extra CA certificates (PEM) to trust, for private MOSIP PKI. */
  ca?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface SendOptions {
  method: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  query?: Record<string, string | undefined>;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

export class HttpClient {
  private readonly dispatcher: Dispatcher | undefined;
  private readonly timeoutMs: number;

  constructor(
    readonly system: RemoteSystem,
    readonly baseUrl: string,
    opts: HttpOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.dispatcher = opts.ca ? new Agent({ connect: { ca: opts.ca } }) : undefined;
  }

  url(path: string, query?: Record<string, string | undefined>): string {
    const url = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Sends a request; network failures become TransientRemoteError. Any status is returned. */
  async send(path: string, opts: SendOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    try {
      const res = await request(this.url(path, opts.query), {
        method: opts.method,
        headers,
        body,
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (TRANSIENT_CODES.has(code) || code.startsWith('UND_ERR')) {
        throw new TransientRemoteError(this.system, `${opts.method} ${path}: ${code}`);
      }
      throw err;
    }
  }

  /** Throws TransientRemoteError for 5xx/429 so every client classifies them alike. */
  failOnTransientStatus(res: HttpResponse, endpoint: string): void {
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      const retryAfter = Number(firstHeader(res.headers['retry-after']));
      throw new TransientRemoteError(
        this.system,
        `${endpoint}: HTTP ${res.status}`,
        res.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
  }

  parseJson(res: HttpResponse, endpoint: string): unknown {
    try {
      return JSON.parse(res.text);
    } catch {
      throw new ContractViolation(this.system, endpoint, `HTTP ${res.status}, body is not JSON`);
    }
  }

  rejection(code: string, message: string, status?: number): RemoteRejection {
    return new RemoteRejection(this.system, code, message, status);
  }
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Validates a response body against the schema the real API documents. */
export function parseResponse<S extends z.ZodType>(system: RemoteSystem, endpoint: string, schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ContractViolation(system, endpoint, `${first?.path.join('.') || '(body)'}: ${first?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** MOSIP and e-Signet timestamps: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (UTC, millis, literal Z). */
export function mosipTime(date = new Date()): string {
  return date.toISOString();
}
