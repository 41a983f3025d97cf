// The codec server: the HTTP endpoints the Temporal UI and CLI call to show our encrypted
// payloads decoded (Temporal's remote codec protocol: `POST …/decode` and `POST …/encode` with
// `{"payloads":[…]}` in protobuf JSON, base64 metadata and data, `X-Namespace` header; only the
// last path segment counts, so it can be mounted under any prefix). Nothing is decoded without
// authorisation (codec-server-auth.ts): a bearer token, or a browser session cookie obtained on
// the sign-in page served here. Wrong tokens are throttled per client address
// (codec-server-throttle.ts), and every request is logged with who made it.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { CodecAccess, SESSION_COOKIE, cookieFrom } from './codec-server-auth.js';
import { signInPage } from './codec-server-page.js';
import { SignInThrottle } from './codec-server-throttle.js';
import { ENCODING, encodingOf } from './codec.js';
import { isLoopbackHost } from './loopback.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Headers the UI and CLI send: the UI's fetch() adds Authorization/Authorization-Extras with "pass access token". */
const ALLOWED_HEADERS = ['authorization', 'authorization-extras', 'content-type', 'x-namespace'];

const payloadJson = z
  .object({
    metadata: z.record(z.string(), z.string()).optional(),
    data: z.string().optional(),
  })
  .loose();
const payloadsBody = z.object({ payloads: z.array(payloadJson) });
type PayloadJson = z.infer<typeof payloadJson>;

export interface CodecServerOptions {
  codec: PayloadCodec;
  access: CodecAccess;
  /** Browser origins (the Temporal UI's, e.g. http://127.0.0.1:8233) allowed to call with credentials. */
  allowedOrigins: string[];
  /** Send the session cookie with `SameSite=None; Secure` for a UI on another site (https only). */
  crossSiteCookie?: boolean;
  /** Served over https (directly or behind a TLS proxy): the cookie gets `Secure`. */
  secure?: boolean;
  /** Behind a proxy that appends the client's address to X-Forwarded-For: throttle by that address. */
  behindProxy?: boolean;
  /** Failed sign-ins per client address (default: 5 a minute). */
  throttle?: SignInThrottle;
  /** One line per request: what was done, for whom; never payload contents. */
  log?: (line: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function toPayload(json: PayloadJson): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(json.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(json.data ?? '', 'base64') };
}

function toJson(payload: Payload): PayloadJson {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {}))
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function codecRequestHandler(opts: CodecServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const origins = new Set(opts.allowedOrigins.map((o) => new URL(o).origin));
  const log = opts.log ?? (() => undefined);
  const throttle = opts.throttle ?? new SignInThrottle();

  /** The client's address; behind a proxy the one it appended last (earlier entries are the client's to forge). */
  function clientAddress(req: IncomingMessage): string {
    const forwarded = opts.behindProxy
      ? String(req.headers['x-forwarded-for'] ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean)
          .at(-1)
      : undefined;
    return forwarded ?? req.socket.remoteAddress ?? '-';
  }

  /** 429 with Retry-After when this address has used up its failed sign-ins; true when it answered. */
  function refusedForFailures(
    req: IncomingMessage,
    res: ServerResponse,
    what: string,
    headers: Record<string, string>,
    page?: (message: string) => string,
  ): boolean {
    const address = clientAddress(req);
    const retryAfter = throttle.retryAfterSeconds(address);
    if (retryAfter === undefined) return false;
    log(
      `429 ${what} from ${address}: ${throttle.limit} wrong tokens within ${throttle.windowMs / 1000} s; refused for ${retryAfter} s`,
    );
    const message = `Too many wrong tokens from this address: try again in ${retryAfter} s.`;
    if (page)
      send(res, 429, { ...headers, 'retry-after': String(retryAfter) }, page(message), 'text/html; charset=utf-8');
    else send(res, 429, { ...headers, 'retry-after': String(retryAfter) }, JSON.stringify({ error: message }));
    return true;
  }

  function corsHeaders(origin: string | undefined): Record<string, string> {
    if (!origin || !origins.has(origin)) return {};
    return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
  }

  function send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
    contentType = 'application/json',
  ): void {
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
    res.end(body);
  }

  function sessionCookie(value: string, maxAge: number): string {
    const sameSite = opts.crossSiteCookie ? 'None' : 'Strict';
    const secure = opts.secure || opts.crossSiteCookie ? '; Secure' : '';
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=${sameSite}; Path=/; Max-Age=${maxAge}${secure}`;
  }

  /** Who is asking: the bearer token's owner, else the browser session's; undefined when neither is valid. */
  function callerOf(req: IncomingMessage): string | undefined {
    const bearer = opts.access.bearerCaller(req.headers.authorization);
    if (bearer) return `${bearer} (token)`;
    const session = opts.access.sessionCaller(cookieFrom(req.headers.cookie, SESSION_COOKIE));
    return session ? `${session} (browser session)` : undefined;
  }

  async function convert(
    req: IncomingMessage,
    res: ServerResponse,
    op: 'decode' | 'encode',
    path: string,
    cors: Record<string, string>,
  ): Promise<void> {
    const namespace = String(req.headers['x-namespace'] ?? '-');
    const presentsToken = CodecAccess.bearerToken(req.headers.authorization) !== undefined;
    // A wrong bearer token is a guess like a wrong sign-in: both count against the address.
    if (presentsToken && refusedForFailures(req, res, op, cors)) return;
    const who = callerOf(req);
    if (!who) {
      if (presentsToken) throttle.recordFailure(clientAddress(req));
      log(
        `401 ${op} at ${path} (namespace ${namespace}, from ${clientAddress(req)}, origin ${req.headers.origin ?? '-'}): ${presentsToken ? 'token not accepted' : 'no valid token or session'}`,
      );
      send(
        res,
        401,
        { ...cors, 'www-authenticate': 'Bearer realm="g2p-onboard codec server"' },
        JSON.stringify({ error: 'unauthorised: send Authorization: Bearer <token>, or sign in on this server' }),
      );
      return;
    }
    if (!String(req.headers['content-type'] ?? '').includes('application/json'))
      throw new HttpError(415, 'send Content-Type: application/json');
    let parsed;
    try {
      parsed = payloadsBody.parse(JSON.parse(await readBody(req, MAX_BODY_BYTES)));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'body must be {"payloads":[{"metadata":{…},"data":"…"}]} in protobuf JSON');
    }
    let out: PayloadJson[];
    let notEncrypted = 0;
    let undecodable = 0;
    if (op === 'encode') {
      out = (await opts.codec.encode(parsed.payloads.map(toPayload))).map(toJson);
    } else {
      // The UI shows what history holds: a payload that is not ours, or under a key not in the
      // ring, comes back as it came (the worker's codec refuses such payloads), never hiding the others.
      out = await Promise.all(
        parsed.payloads.map(async (p) => {
          const payload = toPayload(p);
          if (encodingOf(payload) !== ENCODING) {
            notEncrypted++;
            return p;
          }
          try {
            return toJson((await opts.codec.decode([payload]))[0]!);
          } catch {
            undecodable++;
            return p;
          }
        }),
      );
    }
    const leftAsIs = [
      notEncrypted ? `${notEncrypted} not encrypted` : '',
      undecodable ? `${undecodable} under a key not in the ring` : '',
    ].filter(Boolean);
    log(
      `${op} ${out.length} payload(s) for ${who} at ${path} (namespace ${namespace}${leftAsIs.length ? `; left as they came: ${leftAsIs.join(', ')}` : ''})`,
    );
    send(res, 200, cors, JSON.stringify({ payloads: out }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://codec');
    const last = url.pathname.split('/').pop() ?? '';
    const origin = req.headers.origin;
    const cors = corsHeaders(origin);

    if (req.method === 'OPTIONS') {
      if (!cors['access-control-allow-origin']) {
        log(`403 preflight from origin ${origin ?? '-'}: not an allowed Temporal UI origin`);
        send(res, 403, {}, JSON.stringify({ error: `origin ${origin ?? '(none)'} is not allowed` }));
        return;
      }
      const requested = String(req.headers['access-control-request-headers'] ?? '')
        .toLowerCase()
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean);
      const extra: Record<string, string> = {};
      if (req.headers['access-control-request-private-network'] === 'true')
        extra['access-control-allow-private-network'] = 'true';
      res.writeHead(204, {
        ...cors,
        ...extra,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers':
          requested.filter((h) => ALLOWED_HEADERS.includes(h)).join(', ') || ALLOWED_HEADERS.join(', '),
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method === 'POST' && (last === 'decode' || last === 'encode')) {
      // A page from any other origin is refused outright, before its credentials are looked at.
      if (origin !== undefined && !cors['access-control-allow-origin']) {
        log(`403 ${last} from origin ${origin}: not an allowed Temporal UI origin`);
        send(res, 403, {}, JSON.stringify({ error: `origin ${origin} is not allowed` }));
        return;
      }
      await convert(req, res, last, url.pathname, cors);
      return;
    }
    if (req.method === 'GET' && last === 'health') return send(res, 200, {}, 'ok\n', 'text/plain');
    const pageHeaders = {
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
    };
    const sessionCookieValue = cookieFrom(req.headers.cookie, SESSION_COOKIE);
    const signedIn = opts.access.sessionAllowed(sessionCookieValue);
    const endpoint = `${opts.secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${url.pathname.replace(/\/(login|logout)?$/, '')}`;
    if (req.method === 'GET' && (last === '' || last === 'login')) {
      return send(
        res,
        200,
        pageHeaders,
        signInPage({ signedIn, endpoint, origins: [...origins] }),
        'text/html; charset=utf-8',
      );
    }
    if (req.method === 'POST' && last === 'login') {
      const page = (error: string) => signInPage({ signedIn: false, endpoint, origins: [...origins], error });
      // Checked before the token is read, so a throttled address learns nothing from its guesses.
      if (refusedForFailures(req, res, 'sign-in', pageHeaders, page)) return;
      const token = new URLSearchParams(await readBody(req, 8192)).get('token')?.trim() ?? '';
      const caller = opts.access.callerOf(token);
      if (!caller) {
        throttle.recordFailure(clientAddress(req));
        log(`401 sign-in from ${clientAddress(req)}: token not accepted`);
        return send(res, 401, pageHeaders, page('That token is not accepted.'), 'text/html; charset=utf-8');
      }
      log(`sign-in: browser session started for ${caller} from ${clientAddress(req)}`);
      res.writeHead(303, {
        location: './',
        'set-cookie': sessionCookie(opts.access.newSession(caller), opts.access.sessionTtlSeconds),
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    if (req.method === 'POST' && last === 'logout') {
      // Ended here, not only in this browser: a copy of the cookie is refused from now on.
      const caller = opts.access.endSession(sessionCookieValue);
      if (caller) log(`sign-out: browser session of ${caller} ended`);
      res.writeHead(303, { location: './', 'set-cookie': sessionCookie('', 0), 'cache-control': 'no-store' });
      res.end();
      return;
    }
    send(res, 404, cors, JSON.stringify({ error: 'not found: POST …/decode or …/encode' }));
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      // Codec errors can quote key ids but never payloads; still, keep the reply generic.
      if (status === 500) log(`500 ${req.method} ${req.url}: ${(err as Error).name}`);
      if (!res.headersSent)
        send(
          res,
          status,
          corsHeaders(req.headers.origin),
          JSON.stringify({ error: status === 500 ? 'internal error' : (err as Error).message }),
        );
      else res.destroy();
    });
  };
}

export interface RunningCodecServer {
  /** Base URL to give the UI (`--ui-codec-endpoint`) and the CLI (`--codec-endpoint`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startCodecServer(
  opts: CodecServerOptions & { host?: string; port?: number; tls?: { cert: string; key: string } },
): Promise<RunningCodecServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!opts.tls && !opts.secure && !isLoopbackHost(host)) {
    throw new Error(
      `the codec server will not listen on ${host} over plain http: tokens, session cookies and decoded payloads would cross the network in clear. ` +
        'Give it a certificate (G2P_ONBOARD_CODEC_SERVER_TLS_CERT and G2P_ONBOARD_CODEC_SERVER_TLS_KEY), put it behind a TLS proxy and set ' +
        'G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS=true, or keep G2P_ONBOARD_CODEC_SERVER_HOST on a loopback address (127.0.0.1)',
    );
  }
  const handler = codecRequestHandler({ ...opts, secure: opts.secure ?? opts.tls !== undefined });
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 0, exclusive: true }, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
