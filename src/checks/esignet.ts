// e-Signet: discovery and JWKS answer, and the client exists, is ACTIVE and has exactly the
// redirect URIs OpenG2P needs. e-Signet has no client read API: the authorization start
// (oauth-details) answers invalid_client_id / invalid_redirect_uri without a user, so each URI
// OpenG2P needs is tried, and each URI the client was registered with before but no longer needs
// must be refused. A URI registered by hand that the product never knew cannot be seen.
import { EsignetClient } from '../clients/esignet.js';
import { EsignetAuthorizationProbe } from '../clients/esignet-probe.js';
import { redirectUris } from '../spec/derived.js';
import { attempt, type CheckContext } from './context.js';
import type { CheckResult } from './report.js';

const CLIENT = 'esignet.client';

export async function esignetChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const { spec, deps } = ctx;
  const esignet = new EsignetClient(spec.esignet.baseUrl, deps.http);
  const results: CheckResult[] = [];
  results.push(
    ...(await attempt(ctx, 'esignet.discovery', 'reachable', async () => {
      const d = await esignet.discovery();
      ctx.discovery = d;
      ctx.endpoints = {
        issuer: d.issuer,
        authorizationEndpoint: d.authorization_endpoint,
        tokenEndpoint: d.token_endpoint,
        userinfoEndpoint: d.userinfo_endpoint,
        jwksUri: d.jwks_uri,
      };
      return [
        {
          resource: 'esignet.discovery',
          check: 'reachable',
          status: 'in-sync',
          live: d.issuer,
          detail: `issuer ${d.issuer}`,
          why: 'OpenG2P takes its endpoints from discovery',
        },
      ];
    })),
  );
  if (ctx.endpoints) {
    const jwksUri = ctx.endpoints.jwksUri;
    results.push(
      ...(await attempt(ctx, 'esignet.jwks', 'reachable', async () => {
        const { keys } = await esignet.jwks(jwksUri);
        return [
          {
            resource: 'esignet.jwks',
            check: 'reachable',
            status: keys.length ? 'in-sync' : 'drift',
            live: `${keys.length} key(s)`,
            detail: keys.length ? `${keys.length} signing key(s) at ${jwksUri}` : `${jwksUri} lists no keys`,
            why: 'OpenG2P verifies every id_token against these keys: without them no login succeeds',
          },
        ];
      })),
    );
  }
  results.push(...(await clientChecks(ctx)));
  return results;
}

async function clientChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const { spec } = ctx;
  const clientId = ctx.stored.oidcClient?.clientId;
  if (!clientId) {
    return [
      {
        resource: CLIENT,
        check: 'exists',
        status: 'missing',
        detail: 'the worker holds no registered client for this deployment',
        why: 'onboarding registers it (registerOidcClient); run or resume the onboarding',
      },
    ];
  }
  return attempt(ctx, CLIENT, 'exists', async () => {
    const probe = new EsignetAuthorizationProbe(spec.esignet.baseUrl, ctx.deps.http);
    const acr = spec.oidcClient.acrs[0];
    const wanted = redirectUris(spec);
    const answers = new Map<string, string>();
    for (const uri of wanted) {
      const a = await probe.probe(clientId, uri, acr);
      answers.set(uri, a.accepted ? 'accepted' : a.code);
    }
    if ([...answers.values()].every((a) => a === 'invalid_client_id')) {
      return [
        {
          resource: CLIENT,
          check: 'active',
          status: 'missing',
          live: 'invalid_client_id',
          wanted: `${clientId} ACTIVE`,
          detail: `e-Signet refuses client ${clientId}: unknown or INACTIVE (it answers both alike)`,
          why: 'no one can log in to OpenG2P through e-Signet; re-activate the client (PMS portal or client management) or re-run the onboarding',
        },
      ];
    }
    const results: CheckResult[] = [
      {
        resource: CLIENT,
        check: 'active',
        status: 'in-sync',
        live: 'ACTIVE',
        detail: `client ${clientId} is known and ACTIVE`,
        why: 'OpenG2P logs users in with it',
      },
    ];
    const refused = wanted.filter((u) => answers.get(u) !== 'accepted');
    const odd = refused.filter((u) => answers.get(u) !== 'invalid_redirect_uri');
    if (odd.length) {
      results.push({
        resource: CLIENT,
        check: 'redirectUris',
        status: 'cannot-check',
        detail: `e-Signet answered ${odd.map((u) => `${answers.get(u)} for ${u}`).join(', ')}`,
        why: 'an answer other than accepted or invalid_redirect_uri says nothing about the URI',
      });
      return results;
    }
    // URIs the client was registered with before that OpenG2P no longer uses must be gone.
    const previous = (ctx.stored.oidcClient?.redirectUris ?? []).filter((u) => !wanted.includes(u));
    const stale: string[] = [];
    for (const uri of previous) {
      const a = await probe.probe(clientId, uri, acr);
      if (a.accepted) stale.push(uri);
    }
    const live = [...wanted.filter((u) => !refused.includes(u)), ...stale];
    results.push({
      resource: CLIENT,
      check: 'redirectUris',
      status: refused.length || stale.length ? 'drift' : 'in-sync',
      live,
      wanted,
      detail:
        refused.length || stale.length
          ? [
              refused.length ? `not registered: ${refused.join(', ')}` : '',
              stale.length ? `still registered though OpenG2P no longer uses it: ${stale.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; ')
          : `${wanted.length} redirect URI(s) accepted${previous.length ? `, ${previous.length} earlier one(s) refused` : ''}`,
      why:
        refused.length || stale.length
          ? "e-Signet sends users back only to registered URIs: update the client's redirect URIs (`g2p-onboard retry --spec` re-applies them)"
          : 'e-Signet cannot list a client’s URIs: the needed ones and those registered before were tried',
    });
    return results;
  });
}
