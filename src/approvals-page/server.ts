// The approvals page: Partner Admins sign in with a passkey, see the runs awaiting them with the
// evidence, and decide with the same passkey. The page holds a Temporal client (through the
// codec server, with a token of its own: it holds no payload key), but it is only a carrier: a
// decision is the approver's WebAuthn assertion over the decision payload, and the workflow's
// update validator verifies it against the worker's identity registry. So a compromised page
// can show wrong things and drop decisions, not make one up (SECURITY.md).
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { cookieFrom } from '../security/codec-server-auth.js';
import { Refused, sendUpdate } from '../cli/runs.js';
import { approveUpdate, rejectUpdate, statusQuery, type DecisionInput } from '../workflows/messages.js';
import { PAGE_SCRIPT } from './browser-script.js';
import { runEvidence, runsAwaiting, type RunEvidence } from './evidence.js';
import { enrollPage, PAGE_CSS, runsPage, signInPage } from './html.js';
import { PageRelyingParty, PasskeyRefused } from './passkeys.js';
import { CEREMONY_COOKIE, PageSessions, SESSION_COOKIE, sameToken, type Session } from './sessions.js';

const MAX_BODY_BYTES = 64 * 1024;

export interface ApprovalsPageOptions {
  client: Client;
  /** The origin browsers open, e.g. https://approvals.example.org; its host name is the RP id. */
  origin: string;
  rpId: string;
  /** The worker policy whose registry holds the approvers' passkeys (re-read at each sign-in). */
  policyFile: string;
  host: string;
  port: number;
  sessionMinutes: number;
  /** Cookies get Secure (the origin is https). */
  secureCookies: boolean;
  tls?: { cert: string; key: string };
  /** One line per sign-in and decision: who, what, the outcome. */
  log?: (line: string) => void;
}

export interface RunningApprovalsPage {
  /** Where it listens (the origin is what browsers should open). */
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const comment = z.string().max(2000).optional();
const decisionOptionsBody = z.object({
  workflowId: z.string().min(1).max(300),
  decision: z.enum(['approve', 'reject']),
  comment,
});
const webauthnResponse = z
  .object({
    id: z.string().min(1).max(1400),
    rawId: z.string().max(1400),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.string().optional(),
  })
  .loose();
const assertionResponse = webauthnResponse.extend({
  response: z
    .object({
      authenticatorData: z.string().max(8192),
      clientDataJSON: z.string().max(8192),
      signature: z.string().max(8192),
      userHandle: z.string().max(1024).optional(),
    })
    .loose(),
});
const decisionBody = z.object({
  workflowId: z.string().min(1).max(300),
  decision: z.enum(['approve', 'reject']),
  payload: z.string().max(8192),
  response: assertionResponse,
});

/** SimpleWebAuthn's browser bundle, from its package: no CDN. */
async function webauthnBundle(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFile(join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

export async function startApprovalsPage(options: ApprovalsPageOptions): Promise<RunningApprovalsPage> {
  const { client, origin } = options;
  const log = options.log ?? (() => undefined);
  const sessions = new PageSessions(options.sessionMinutes * 60_000);
  const rp = new PageRelyingParty({ origin, rpId: options.rpId, policyFile: options.policyFile });
  const assets: Record<string, { type: string; body: string }> = {
    '/assets/webauthn.js': { type: 'text/javascript', body: await webauthnBundle() },
    '/assets/page.js': { type: 'text/javascript', body: PAGE_SCRIPT },
    '/assets/page.css': { type: 'text/css', body: PAGE_CSS },
  };

  const cookie = (name: string, value: string, maxAgeSeconds: number) =>
    `${name}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${options.secureCookies ? '; Secure' : ''}`;

  function send(
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    headers: Record<string, string | string[]> = {},
  ) {
    res.writeHead(status, {
      'content-type': `${type}; charset=utf-8`,
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(options.secureCookies ? { 'strict-transport-security': 'max-age=31536000' } : {}),
      ...headers,
    });
    res.end(body);
  }
  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}) =>
    send(res, status, 'application/json', JSON.stringify(value), headers);

  async function readJson(req: IncomingMessage): Promise<unknown> {
    // Cross-site requests are refused twice over: SameSite=Strict cookies, and the Origin check
    // (a JSON content type cannot be sent cross-origin without a preflight this page never answers).
    if (req.headers.origin !== origin) throw new HttpError(403, `requests must come from ${origin}`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      throw new HttpError(415, 'send JSON');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request too large');
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      throw new HttpError(400, 'not JSON');
    }
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return parsed.data;
  }

  /** The signed-in approver of a state-changing request, its CSRF token checked. */
  function signedIn(req: IncomingMessage): { id: string; session: Session } {
    const id = cookieFrom(req.headers.cookie, SESSION_COOKIE);
    const session = sessions.get(id);
    if (!id || !session) throw new HttpError(401, 'your sign-in has ended: sign in again');
    if (!sameToken(session.csrf, req.headers['x-csrf-token'] as string | undefined))
      throw new HttpError(403, 'the request lacks this page’s CSRF token: reload the page');
    return { id, session };
  }

  async function evidenceFor(approver: string): Promise<{ runs: RunEvidence[]; problem?: string }> {
    try {
      const waiting = await runsAwaiting(client, approver);
      return { runs: await Promise.all(waiting.map((s) => runEvidence(client, s.workflowId, s))) };
    } catch (err) {
      log(`listing runs for ${approver} failed: ${(err as Error).message}`);
      return {
        runs: [],
        problem: `The runs could not be read just now (${(err as Error).message}). Reload to try again.`,
      };
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (req.method === 'GET') {
      const asset = assets[path];
      if (asset) return send(res, 200, asset.type, asset.body, { 'cache-control': 'public, max-age=300' });
      if (path === '/enroll') return send(res, 200, 'text/html', enrollPage(origin));
      if (path === '/') {
        const session = sessions.get(cookieFrom(req.headers.cookie, SESSION_COOKIE));
        if (!session) return send(res, 200, 'text/html', signInPage());
        const { runs, problem } = await evidenceFor(session.approver);
        return send(res, 200, 'text/html', runsPage(session.approver, session.csrf, runs, problem));
      }
      throw new HttpError(404, 'not found');
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    const body = await readJson(req);
    switch (path) {
      case '/api/enroll/options': {
        const { name } = parse(
          z.object({ name: z.string().regex(/^\S{1,64}$/, 'one word, at most 64 characters') }),
          body,
        );
        const opts = await rp.enrollOptions(name);
        const ceremony = sessions.begin({ kind: 'enroll', challenge: opts.challenge, name });
        return json(res, 200, opts, { 'set-cookie': cookie(CEREMONY_COOKIE, ceremony, 300) });
      }
      case '/api/enroll/verify': {
        const ceremony = sessions.take(cookieFrom(req.headers.cookie, CEREMONY_COOKIE), 'enroll');
        if (!ceremony) throw new HttpError(400, 'the enrollment expired: start again');
        const { response } = parse(z.object({ response: webauthnResponse }), body);
        const entry = await rp.enroll(ceremony.name!, ceremony.challenge, response as never);
        log(
          `passkey enrolled for ${entry.name} (credential ${entry.webauthn.credentialId.slice(0, 16)}…): not trusted until the registry lists it`,
        );
        return json(res, 200, entry, { 'set-cookie': cookie(CEREMONY_COOKIE, '', 0) });
      }
      case '/api/signin/options': {
        const opts = await rp.signInOptions();
        const ceremony = sessions.begin({ kind: 'signin', challenge: opts.challenge });
        return json(res, 200, opts, { 'set-cookie': cookie(CEREMONY_COOKIE, ceremony, 300) });
      }
      case '/api/signin/verify': {
        const ceremony = sessions.take(cookieFrom(req.headers.cookie, CEREMONY_COOKIE), 'signin');
        if (!ceremony) throw new HttpError(400, 'the sign-in expired: start again');
        const { response } = parse(z.object({ response: assertionResponse }), body);
        const { approver, credentialId } = await rp.signIn(ceremony.challenge, response as never);
        const { id } = sessions.open(approver, credentialId);
        log(`${approver} signed in (passkey ${credentialId.slice(0, 16)}…)`);
        return json(
          res,
          200,
          { approver },
          {
            'set-cookie': [cookie(SESSION_COOKIE, id, sessions.sessionSeconds), cookie(CEREMONY_COOKIE, '', 0)],
          },
        );
      }
      case '/api/signout': {
        const id = cookieFrom(req.headers.cookie, SESSION_COOKIE);
        if (sessions.get(id)) signedIn(req);
        sessions.end(id);
        return json(res, 200, { signedOut: true }, { 'set-cookie': cookie(SESSION_COOKIE, '', 0) });
      }
      case '/api/decisions/options': {
        const { session } = signedIn(req);
        const d = parse(decisionOptionsBody, body);
        if (d.decision === 'reject' && !d.comment?.trim())
          throw new HttpError(400, 'a rejection needs a comment saying why');
        const status = await client.workflow.getHandle(d.workflowId).query(statusQuery);
        if (!status.pendingApproval?.awaiting.includes(session.approver))
          throw new HttpError(409, `${d.workflowId} is not awaiting your decision`);
        // The decision payload: the claims a CLI decision signs, hashed into the WebAuthn challenge.
        const payload = JSON.stringify({
          wid: status.workflowId,
          rid: status.firstRunId,
          decision: d.decision,
          approver: session.approver,
          ...(d.comment?.trim() ? { comment: d.comment.trim() } : {}),
          iat: Math.floor(Date.now() / 1000),
          nonce: randomBytes(16).toString('base64url'),
        });
        return json(res, 200, { payload, options: rp.decisionOptions(payload, rp.credentialsOf(session.approver)) });
      }
      case '/api/decisions': {
        const { session } = signedIn(req);
        const d = parse(decisionBody, body);
        const claims = JSON.parse(d.payload) as { wid?: unknown; decision?: unknown; approver?: unknown };
        if (claims.approver !== session.approver || claims.wid !== d.workflowId || claims.decision !== d.decision)
          throw new HttpError(400, 'the signed payload is not this decision of yours');
        const input: DecisionInput = {
          passkey: {
            payload: d.payload,
            credentialId: d.response.id,
            authenticatorData: d.response.response.authenticatorData,
            clientDataJSON: d.response.response.clientDataJSON,
            signature: d.response.response.signature,
          },
        };
        const handle = client.workflow.getHandle(d.workflowId);
        try {
          const record = await sendUpdate(
            () => handle.executeUpdate(d.decision === 'approve' ? approveUpdate : rejectUpdate, { args: [input] }),
            handle,
          );
          log(`${d.decision} on ${d.workflowId} by ${session.approver}: recorded by the workflow`);
          return json(res, 200, record);
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
          log(`${d.decision} on ${d.workflowId} by ${session.approver}: refused by the workflow: ${err.message}`);
          throw new HttpError(409, `the workflow refused it: ${err.message}`);
        }
      }
      default:
        throw new HttpError(404, 'not found');
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof PasskeyRefused ? 403 : 500;
      if (status === 500) log(`error on ${req.method} ${req.url}: ${(err as Error).message}`);
      const message = status === 500 ? 'the page could not do that just now; try again' : (err as Error).message;
      if (res.headersSent) return res.end();
      if (req.method === 'GET' && status !== 500) return send(res, status, 'text/plain', message);
      json(res, status, { error: message });
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: await readFile(options.tls.cert), key: await readFile(options.tls.key) }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
