// OpenG2P: the e-Signet provider exists under the spec's name, holds the client id, is enabled,
// names discovery's endpoints, and its private key's public half is the key e-Signet has.
import { OdooClient } from '../clients/odoo.js';
import { attempt, type CheckContext } from './context.js';
import { privateKeyThumbprint } from './keys.js';
import type { CheckResult } from './report.js';

const PROVIDER = 'openg2p.provider';

/** Provider field ← discovery endpoint. */
const ENDPOINT_FIELDS = [
  ['auth_endpoint', 'authorizationEndpoint'],
  ['token_endpoint', 'tokenEndpoint'],
  ['jwks_uri', 'jwksUri'],
  ['validation_endpoint', 'userinfoEndpoint'],
] as const;

export async function openg2pChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const { spec } = ctx;
  return attempt(ctx, PROVIDER, 'exists', async () => {
    const password = await ctx.secrets.get(spec.openg2p.password);
    const odoo = new OdooClient(spec.openg2p.url, spec.openg2p.database, ctx.deps.http);
    const uid = await odoo.authenticate(spec.openg2p.login, password);
    const name = spec.openg2p.provider.name;
    const [record] = await odoo.searchRead(
      uid,
      password,
      'auth.oauth.provider',
      [['name', '=', name]],
      ['name', 'client_id', 'enabled', ...ENDPOINT_FIELDS.map(([f]) => f), 'client_private_key'],
      1,
    );
    if (!record) {
      return [
        {
          resource: PROVIDER,
          check: 'exists',
          status: 'missing',
          wanted: name,
          detail: `OpenG2P has no OAuth provider named "${name}"`,
          why: 'the login button is gone: onboarding (configureOpenG2P) creates it',
        },
      ];
    }
    const results: CheckResult[] = [];
    const clientId = ctx.stored.oidcClient?.clientId;
    results.push({
      resource: PROVIDER,
      check: 'clientId',
      status: clientId === undefined ? 'cannot-check' : record.client_id === clientId ? 'in-sync' : 'drift',
      live: record.client_id,
      wanted: clientId,
      detail: `provider #${record.id} holds client ${String(record.client_id)}`,
      why:
        clientId === undefined
          ? 'the worker holds no registered client id to compare with'
          : 'OpenG2P must log in with the client registered on e-Signet',
    });
    results.push({
      resource: PROVIDER,
      check: 'enabled',
      status: record.enabled === true ? 'in-sync' : 'drift',
      live: record.enabled,
      wanted: true,
      detail: record.enabled === true ? 'shown on /web/login' : 'disabled: no login button on /web/login',
      why: 'only enabled providers appear on the login page',
    });
    const endpoints = ctx.endpoints;
    if (!endpoints) {
      results.push({
        resource: PROVIDER,
        check: 'endpoints',
        status: 'cannot-check',
        detail: "e-Signet's discovery could not be read",
        why: 'the endpoints are compared with what discovery names',
      });
    } else {
      const differing = ENDPOINT_FIELDS.filter(([field, key]) => record[field] !== endpoints[key]);
      results.push({
        resource: PROVIDER,
        check: 'endpoints',
        status: differing.length ? 'drift' : 'in-sync',
        live: Object.fromEntries(differing.map(([field]) => [field, record[field]])),
        wanted: Object.fromEntries(differing.map(([field, key]) => [field, endpoints[key]])),
        detail: differing.length
          ? differing.map(([field, key]) => `${field}: ${String(record[field])} → ${endpoints[key]}`).join('; ')
          : 'authorization, token, userinfo and JWKS endpoints equal discovery',
        why: "OpenG2P must use the endpoints e-Signet's discovery names",
      });
    }
    const wantedThumbprint = ctx.stored.clientKey?.thumbprint;
    const stored = typeof record.client_private_key === 'string' ? record.client_private_key : '';
    let live: string | undefined;
    if (stored) {
      const pem = Buffer.from(stored, 'base64').toString('utf8');
      ctx.secrets.remember(stored);
      ctx.secrets.remember(pem);
      live = await privateKeyThumbprint(pem).catch(() => undefined);
    }
    results.push({
      resource: PROVIDER,
      check: 'keyThumbprint',
      status: !stored
        ? 'missing'
        : live === undefined
          ? 'drift'
          : wantedThumbprint === undefined
            ? 'cannot-check'
            : live === wantedThumbprint
              ? 'in-sync'
              : 'conflict',
      live: live ?? (stored ? 'unreadable key' : 'no key'),
      wanted: wantedThumbprint,
      detail: !stored
        ? 'client_private_key is empty'
        : live === undefined
          ? 'client_private_key is not a readable private key'
          : `public half ${live}`,
      why: 'OpenG2P signs its client assertion with this key: its public half must be the key registered for the client',
    });
    return results;
  });
}
