// Odoo's external API: `POST /jsonrpc` (common/object services, credentials re-checked on
// every call) and the web client's session routes (`session_id` cookie + call_kw).
import { randomBytes } from 'node:crypto';
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import { accessDenied, answerRpc, keyError, OdooException, sessionExpired, typeError, valueError } from './errors.js';
import { callKw, checkMethodName } from './methods.js';
import type { SeededDatabase } from './models.js';

export interface OdooSession {
  uid: number;
  login: string;
}

export interface RpcState {
  seeded: SeededDatabase;
  sessions: Map<string, OdooSession>;
}

export function versionInfo(odooVersion: 15 | 17): Record<string, unknown> {
  return {
    server_version: `${odooVersion}.0`,
    server_version_info: [odooVersion, 0, 0, 'final', 0, ''],
    server_serie: `${odooVersion}.0`,
    protocol_version: 1,
  };
}

function checkDatabase(state: RpcState, db: unknown): void {
  if (db !== state.seeded.db.name) {
    // What psycopg2 reports when Odoo opens a registry for a database that is not there (inferred wording).
    throw new OdooException('psycopg2.OperationalError', `FATAL:  database "${String(db)}" does not exist\n`);
  }
}

/** `res.users._login`: the uid, or undefined for a wrong or inactive login. */
function login(state: RpcState, loginName: unknown, password: unknown): number | undefined {
  for (const [uid, stored] of state.seeded.passwords) {
    const user = state.seeded.db.model('res.users').records.get(uid);
    if (user && user.login === loginName && user.active === true && stored === password) return uid;
  }
  return undefined;
}

/** `security.check(db, uid, password)`, run before every object-service call. */
function checkCredentials(state: RpcState, uid: unknown, password: unknown): number {
  const numericUid = typeof uid === 'number' ? uid : typeof uid === 'string' && /^\d+$/.test(uid) ? Number(uid) : NaN;
  if (Number.isNaN(numericUid)) throw valueError(`invalid literal for int() with base 10: '${String(uid)}'`);
  const user = state.seeded.db.model('res.users').records.get(numericUid);
  if (!user || user.active !== true || state.seeded.passwords.get(numericUid) !== password) throw accessDenied();
  return numericUid;
}

function arity(fn: string, args: unknown[], count: number): void {
  if (args.length !== count)
    throw typeError(`${fn}() takes ${count} positional arguments but ${args.length} were given`);
}

function commonService(state: RpcState, method: string, args: unknown[]): unknown {
  switch (method) {
    case 'version':
      return versionInfo(state.seeded.db.odooVersion);
    case 'login':
      arity('exp_login', args, 3);
      checkDatabase(state, args[0]);
      return login(state, args[1], args[2]) ?? false;
    case 'authenticate':
      // A wrong password answers `false`: exp_authenticate catches AccessDenied.
      arity('exp_authenticate', args, 4);
      checkDatabase(state, args[0]);
      return login(state, args[1], args[2]) ?? false;
    default:
      throw keyError(`exp_${method}`);
  }
}

function objectService(state: RpcState, method: string, args: unknown[]): unknown {
  const [db, uid, password, model, modelMethod, ...rest] = args;
  checkDatabase(state, db);
  const checkedUid = checkCredentials(state, uid, password);
  if (method !== 'execute' && method !== 'execute_kw') {
    throw new OdooException('builtins.NameError', `Method not available ${method}`);
  }
  if (typeof modelMethod !== 'string') throw typeError("execute() missing 1 required positional argument: 'method'");
  checkMethodName(modelMethod);
  const recordset = state.seeded.db.model(model);
  if (method === 'execute') return callKw(state.seeded.db, checkedUid, recordset, modelMethod, rest, {});
  return callKw(state.seeded.db, checkedUid, recordset, modelMethod, rest[0] ?? [], rest[1] ?? {});
}

function dispatchRpc(state: RpcState, service: unknown, method: unknown, args: unknown[]): unknown {
  const methodName = String(method);
  if (service === 'common') return commonService(state, methodName, args);
  if (service === 'object') return objectService(state, methodName, args);
  if (state.seeded.db.odooVersion === 17) throw keyError(String(service));
  throw new OdooException('builtins.UnboundLocalError', "local variable 'dispatch' referenced before assignment");
}

/** Parses a JSON-RPC request body; a body that is not JSON gets werkzeug's 400 page. */
function envelope(req: SandboxRequest): { id: unknown; params: Record<string, unknown> } | SandboxResponse {
  const body = req.json as Record<string, unknown> | undefined;
  if (req.malformedJson || !body || typeof body !== 'object' || Array.isArray(body)) {
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Invalid JSON data</p>\n`,
    };
  }
  const params = body.params && typeof body.params === 'object' ? (body.params as Record<string, unknown>) : {};
  return { id: body.id, params };
}

function sessionCookie(sessionId: string, maxAgeSeconds = 7_776_000): string {
  const expires = new Date(Date.now() + maxAgeSeconds * 1000).toUTCString();
  return `session_id=${sessionId}; Expires=${expires}; Max-Age=${maxAgeSeconds}; HttpOnly; Path=/`;
}

/** Opens a web session for a user; returns the Set-Cookie header value. */
export function openSession(state: RpcState, uid: number): string {
  const sessionId = randomBytes(20).toString('hex');
  const user = state.seeded.db.model('res.users').records.get(uid)!;
  state.sessions.set(sessionId, { uid, login: String(user.login) });
  return sessionCookie(sessionId);
}

function sessionInfo(state: RpcState, uid: number): Record<string, unknown> {
  const { db } = state.seeded;
  const user = db.model('res.users').records.get(uid)!;
  const isSystem = db.hasAnyGroup(uid, ['base.group_system']);
  const version = versionInfo(db.odooVersion);
  return {
    uid,
    is_system: isSystem,
    is_admin: isSystem,
    user_context: { lang: 'en_US', tz: false, uid },
    db: db.name,
    server_version: version.server_version,
    server_version_info: version.server_version_info,
    name: user.name,
    username: user.login,
    partner_display_name: user.name,
    company_id: user.company_id,
  };
}

function requireSession(state: RpcState, req: SandboxRequest): OdooSession {
  const session = state.sessions.get(req.cookies.session_id ?? '');
  if (!session) throw sessionExpired();
  return session;
}

export function rpcRoutes(state: RpcState): Route[] {
  const jsonRoute = (path: string, run: (params: Record<string, unknown>, req: SandboxRequest) => unknown): Route => ({
    method: 'POST',
    path,
    handler: (req) => {
      const parsed = envelope(req);
      if ('status' in parsed) return parsed;
      return answerRpc(parsed.id, () => run(parsed.params, req));
    },
  });
  const callKwRoute = (params: Record<string, unknown>, req: SandboxRequest) => {
    const session = requireSession(state, req);
    const method = String(params.method);
    checkMethodName(method);
    const model = state.seeded.db.models.get(String(params.model));
    if (!model) throw keyError(String(params.model));
    return callKw(state.seeded.db, session.uid, model, method, params.args ?? [], params.kwargs ?? {});
  };
  return [
    jsonRoute('/jsonrpc', (p) => dispatchRpc(state, p.service, p.method, Array.isArray(p.args) ? p.args : [])),
    {
      method: 'POST',
      path: '/web/session/authenticate',
      handler: async (req) => {
        const parsed = envelope(req);
        if ('status' in parsed) return parsed;
        let cookie: string | undefined;
        const response = await answerRpc(parsed.id, () => {
          checkDatabase(state, parsed.params.db);
          const uid = login(state, parsed.params.login, parsed.params.password);
          if (uid === undefined) throw accessDenied();
          cookie = openSession(state, uid);
          return sessionInfo(state, uid);
        });
        if (cookie) response.headers = { ...response.headers, 'set-cookie': cookie };
        return response;
      },
    },
    jsonRoute('/web/session/get_session_info', (_p, req) => sessionInfo(state, requireSession(state, req).uid)),
    jsonRoute('/web/session/destroy', (_p, req) => {
      requireSession(state, req);
      state.sessions.delete(req.cookies.session_id ?? '');
      return null;
    }),
    jsonRoute('/web/dataset/call_kw', callKwRoute),
    jsonRoute('/web/dataset/call_kw/:model/:method', callKwRoute),
  ];
}
