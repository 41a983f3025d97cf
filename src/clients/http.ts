// One place where every client sends HTTP: timeouts, error classification and response
// validation. Bodies and headers are never logged here: they carry credentials.
import type { lookup as dnsLookup } from 'node:dns';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { ContractViolation, RemoteRejection, TransientRemoteError, type RemoteSystem } from './errors.js';
import { EgressRefused, guardedConnector, type EgressRules } from './egress.js';

export interface HttpOptions {
  /** Timeout (headers, then body) of a read or login; default 10 s. */
  timeoutMs?: number;
  /** Timeout of a call that changes remote state; default 25 s. */
  writeTimeoutMs?: number;
  /** Extra CA certificates (PEM) to trust, for private MOSIP PKI. */
  ca?: string;
  /**
   * What a run may reach (the worker policy's rule for its deployment), checked when a socket
   * opens. Activities always set it (context.ts guardedFor); without it nothing is checked,
   * which only clients used outside a run (unit tests) do.
   */
  egress?: EgressRules;
  /** Stands for DNS in tests (a name that resolves to a private address without any traffic). */
  dnsLookup?: typeof dnsLookup;
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
  /** The call changes remote state: it gets the longer write timeout. */
  write?: boolean;
}

/**
 * A call that gets no answer must fail well inside the activity's 2-minute start-to-close
 * timeout, so Temporal retries it: reads give up after 10 s (retrying them is free), writes
 * after 25 s (a slow but working server is not sent the same write again too early).
 */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;
export const DEFAULT_WRITE_TIMEOUT_MS = 25_000;
/** Tries of a read that meets a passing failure, and the pause before the next (× the try number). */
const READ_ATTEMPTS = 3;
const READ_RETRY_DELAY_MS = 200;

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Node's certificate verification failures: permanent until the trust store or the server changes. */
const TLS_VERIFICATION_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const agents = new Map<string, Agent>();

/**
 * The agent for these options: always an explicit one that verifies certificates
 * (`rejectUnauthorized: true`, so NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn that off), against
 * the public roots plus `ca` (Node's `ca` replaces the default store, so the public roots and
 * NODE_EXTRA_CA_CERTS are added back), and with the egress checks in its connector.
 * One agent per bundle and rule, so clients share its connections.
 */
function agentFor(opts: HttpOptions): Agent {
  // Keyed by the rule, not the deployment: runs of deployments one policy entry covers share connections.
  const egress = opts.egress && { hosts: opts.egress.hosts, privateNetworks: opts.egress.privateNetworks };
  const key = JSON.stringify([opts.ca ?? null, egress ?? null]);
  let agent = opts.dnsLookup ? undefined : agents.get(key);
  if (!agent) {
    const extra =
      opts.ca && process.env.NODE_EXTRA_CA_CERTS ? [readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8')] : [];
    const ca = opts.ca ? [...rootCertificates, ...extra, opts.ca] : undefined;
    agent = egress
      ? new Agent({ connect: guardedConnector(egress, { ca }, opts.dnsLookup) })
      : new Agent({ connect: { rejectUnauthorized: true, ...(ca ? { ca } : {}) } });
    if (!opts.dnsLookup) agents.set(key, agent);
  }
  return agent;
}

export class HttpClient {
  private readonly dispatcher: Dispatcher;
  /** The policy entry requests are checked against, named in refusals. */
  private readonly egressOrigin: string | undefined;
  private readonly timeoutMs: number;
  private readonly writeTimeoutMs: number;

  constructor(
    readonly system: RemoteSystem,
    readonly baseUrl: string,
    opts: HttpOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.dispatcher = agentFor(opts);
    this.egressOrigin = opts.egress?.origin;
  }

  url(path: string, query?: Record<string, string | undefined>): string {
    const url = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  /**
   * Sends a request; network failures become TransientRemoteError. Any status is returned.
   * A read that meets a passing failure (connection error, 5xx, 429) is tried again at once, up
   * to twice: one activity makes many calls, and failing all of them for one lost read makes a
   * step fragile on a flaky network. Writes are never re-sent here — a write whose answer was
   * lost may have happened, and only the activity's find-before-create may decide that.
   * A read that timed out is not re-sent either (the server may be stuck; the activity retries).
   */
  async send(path: string, opts: SendOptions): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const last = opts.write || attempt >= READ_ATTEMPTS;
      try {
        const res = await this.sendOnce(path, opts);
        if (last || !(res.status >= 500 || res.status === 429)) return res;
      } catch (err) {
        if (last || !(err instanceof TransientRemoteError) || /TIMEOUT/.test(err.message)) throw err;
      }
      await new Promise((r) => setTimeout(r, READ_RETRY_DELAY_MS * attempt));
    }
  }

  private async sendOnce(path: string, opts: SendOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const timeoutMs = opts.write ? this.writeTimeoutMs : this.timeoutMs;
    try {
      const res = await request(this.url(path, opts.query), {
        method: opts.method,
        headers,
        body,
        dispatcher: this.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      // The policy refused the connection: no retry can change that, the operator or the spec must.
      if (err instanceof EgressRefused) throw this.egressOrigin ? err.in(this.egressOrigin) : err;
      const code = (err as { code?: string }).code ?? '';
      if (TRANSIENT_CODES.has(code) || code.startsWith('UND_ERR')) {
        throw new TransientRemoteError(this.system, `${opts.method} ${path}: ${code}`);
      }
      if (TLS_VERIFICATION_CODES.has(code)) {
        // Retrying cannot make a certificate trusted: a person must supply the CA or fix the server.
        throw new RemoteRejection(
          this.system,
          code,
          `${opts.method} ${path}: the server's TLS certificate is not trusted (${(err as Error).message}); if ${new URL(this.baseUrl).host} uses a private CA, name its PEM bundle in the spec's tls.caFile, else fix the server's certificate`,
        );
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
export function parseResponse<S extends z.ZodType>(
  system: RemoteSystem,
  endpoint: string,
  schema: S,
  data: unknown,
): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ContractViolation(
      system,
      endpoint,
      `${first?.path.join('.') || '(body)'}: ${first?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/** MOSIP and e-Signet timestamps: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (UTC, millis, literal Z). */
export function mosipTime(date = new Date()): string {
  return date.toISOString();
}
