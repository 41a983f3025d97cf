// OpenG2P (Odoo) stand-in: JSON-RPC with the auth.oauth.provider model of the chosen
// generation (15 = OpenG2P 1.x, 17 = OpenG2P 1.2+), the login page with OAuth buttons,
// and the /auth_oauth/signin callback that completes an e-Signet login.
import type { SandboxContext } from '../context.js';
import { randomSecret } from '../realm.js';
import type { Route } from '../router.js';
import { loginPage } from './login-page.js';
import { seedDatabase } from './models.js';
import type { OdooDatabase } from './orm.js';
import { openSession, rpcRoutes, type OdooSession, type RpcState } from './rpc.js';
import { handleSignin } from './signin.js';

export interface OdooLogin {
  providerId: number;
  login: string;
  at: string;
}

export interface OdooSigninError {
  providerId?: number;
  /** The `oauth_error` the browser was redirected with: 1 (AttributeError), 2 (error) or 3 (access denied). */
  oauthError: 1 | 2 | 3;
  reason: string;
  at: string;
}

export interface OdooSandbox {
  routes: Route[];
  /** auth.oauth.provider records by id, as stored (binary fields as base64 strings). */
  providers: Map<number, Record<string, unknown>>;
  /** How many provider records were ever created, by name (duplicate detection in tests). */
  providerCreateCounts: Record<string, number>;
  /** Successful OIDC logins completed through /auth_oauth/signin: {providerId, login, at}. */
  logins: OdooLogin[];
  /** Failed /auth_oauth/signin attempts with the reason Odoo would only log. */
  signinErrors: OdooSigninError[];
  /** Reason of the most recent failed signin, if any. */
  readonly lastSigninError: string | undefined;
  /** A seeded internal user without Settings rights: AccessError on auth.oauth.provider. */
  nonAdminLogin: string;
  nonAdminPassword: string;
  /** The in-memory database (models, records, xml ids) for tests that need to look inside. */
  database: OdooDatabase;
  /** Open web sessions by session_id cookie. */
  sessions: Map<string, OdooSession>;
}

export function createOdoo(ctx: SandboxContext): OdooSandbox {
  const odooVersion = ctx.options.odooVersion ?? 15;
  const nonAdminLogin = 'registrar';
  const nonAdminPassword = randomSecret();
  const seeded = seedDatabase(
    ctx.credentials.odooDatabase,
    odooVersion,
    {
      adminLogin: ctx.credentials.odooLogin,
      adminPassword: ctx.credentials.odooPassword,
      nonAdminLogin,
      nonAdminPassword,
    },
    { openg2p: ctx.options.openg2pModules ?? true, versions: ctx.options.openg2pModuleVersions },
  );
  const state: RpcState = { seeded, sessions: new Map() };
  const logins: OdooLogin[] = [];
  const signinErrors: OdooSigninError[] = [];
  // The base URL is known only once the server listens.
  const baseUrl = () => ctx.urls.odoo.replace(/\/+$/, '');

  const routes: Route[] = [
    ...rpcRoutes(state),
    { method: 'GET', path: '/web/login', handler: (req) => loginPage(req, seeded.db, baseUrl()) },
    {
      method: 'GET',
      path: '/auth_oauth/signin',
      handler: async (req) => {
        const result = await handleSignin(req, seeded.db, baseUrl(), (uid) => openSession(state, uid));
        const at = new Date().toISOString();
        if (result.outcome) logins.push({ providerId: result.outcome.providerId, login: result.outcome.login, at });
        if (result.failure) signinErrors.push({ ...result.failure, at });
        return result.response;
      },
    },
  ];

  return {
    routes,
    providers: seeded.db.model('auth.oauth.provider').records,
    providerCreateCounts: seeded.providerCreateCounts,
    logins,
    signinErrors,
    get lastSigninError() {
      return signinErrors.at(-1)?.reason;
    },
    nonAdminLogin,
    nonAdminPassword,
    database: seeded.db,
    sessions: state.sessions,
  };
}
