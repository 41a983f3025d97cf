// The login check's budget and the compatibility table, without servers: what an attempt may
// spend, which answers are tried again, and how the table judges a pair.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { loginWithinBudget } from '../../src/activities/login-budget.js';
import { RemoteRejection, TransientRemoteError } from '../../src/clients/errors.js';
import { createServer } from 'node:http';
import { CallbackRefused, completeOAuthSignin } from '../../src/clients/odoo-web.js';
import { maskedUrl } from '../../src/clients/login-call.js';
import { versionFromDiscovery } from '../../src/clients/esignet-version.js';
import type { Discovery } from '../../src/clients/esignet.js';
import { LOGIN_COMPATIBILITY, assessLoginCompatibility } from '../../src/compat/login-compatibility.js';

/** Runs one attempt of the check; counts the logins it started (each would send one OTP). */
async function attempt(
  n: number,
  opts: { maxOtps?: number; before?: number; fails?: () => Error },
): Promise<{ logins: number; outcome: unknown }> {
  let logins = 0;
  const env = new MockActivityEnvironment({ attempt: n });
  const outcome = await env
    .run(() =>
      loginWithinBudget({ maxOtps: opts.maxOtps }, opts.before ?? 0, async () => {
        logins++;
        if (opts.fails) throw opts.fails();
      }),
    )
    .catch((err: unknown) => err);
  return { logins, outcome };
}

const oauthError2 = () =>
  new CallbackRefused('2', 'GET https://g2p.example.org/auth_oauth/signin?code=***&state=… answered HTTP 303', 303);

describe('the login check spends at most one OTP per attempt and verification.maxOtps per run', () => {
  test('a refused login is tried again while OTPs remain, and blocks with the cause at the last one', async () => {
    const first = await attempt(1, { fails: oauthError2 });
    assert.equal(first.logins, 1);
    assert.ok(first.outcome instanceof ApplicationFailure);
    assert.equal(first.outcome.nonRetryable, false);
    assert.deepEqual(first.outcome.details, [{ otpsSpent: 1 }]);

    const second = await attempt(2, { fails: oauthError2 });
    assert.equal(second.logins, 1);
    assert.ok(second.outcome instanceof ApplicationFailure);
    assert.equal(second.outcome.type, 'LoginBudgetSpent');
    assert.equal(second.outcome.nonRetryable, true);
    assert.match(second.outcome.message, /auth_oauth\/signin\?code=\*\*\*.*HTTP 303.*none left for this run/);
  });

  test('an attempt after one that ended without an answer (a worker crash) sends nothing once the budget may be spent', async () => {
    const third = await attempt(3, { maxOtps: 2 });
    assert.equal(third.logins, 0);
    assert.ok(third.outcome instanceof ApplicationFailure);
    assert.equal(third.outcome.type, 'LoginBudgetSpent');
    assert.match(third.outcome.message, /2 by earlier attempts of this one/);
  });

  test('OTPs of earlier blocked checks in the run count too', async () => {
    const retried = await attempt(1, { maxOtps: 3, before: 3 });
    assert.equal(retried.logins, 0);
    assert.match((retried.outcome as Error).message, /3 by the run's earlier login checks/);
    const raised = await attempt(1, { maxOtps: 4, before: 3 });
    assert.equal(raised.logins, 1);
    assert.equal(typeof raised.outcome, 'string');
  });

  for (const [what, err] of [
    [
      'invalid_client from the token step',
      new RemoteRejection('esignet', 'invalid_client', 'POST … answered HTTP 400', 400),
    ],
    ['invalid_redirect_uri at oauth-details', new RemoteRejection('esignet', 'invalid_redirect_uri', 'POST …', 200)],
    ['a 404 from OpenG2P’s callback', new RemoteRejection('odoo', 'HTTP_404', 'GET … answered HTTP 404', 404)],
  ] as const) {
    test(`${what} is not tried again`, async () => {
      const first = await attempt(1, { maxOtps: 5, fails: () => err });
      assert.equal(first.logins, 1);
      assert.ok(first.outcome instanceof ApplicationFailure);
      assert.equal(first.outcome.nonRetryable, true);
      assert.equal(first.outcome.type, 'VerificationFailed');
      assert.match(first.outcome.message, /not tried again: the answer would be the same/);
    });
  }

  test('passing trouble (a 5xx, no answer) is tried again within the budget', async () => {
    const first = await attempt(1, {
      fails: () =>
        new TransientRemoteError('esignet', 'POST https://e/v1/esignet/authorization/auth-code answered HTTP 503', 503),
    });
    assert.equal((first.outcome as ApplicationFailure).nonRetryable, false);
  });

  test("OpenG2P's callback answering 404 names the call, the status and the body", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>404: Not Found</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const err = await completeOAuthSignin(url, `${url}/auth_oauth/signin`, { code: 'secret-code', state: '{}' }).then(
        () => assert.fail('expected a refusal'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RemoteRejection && !(err instanceof CallbackRefused));
      assert.equal(err.code, 'HTTP_404');
      assert.equal(
        err.message,
        `odoo HTTP_404: GET ${url}/auth_oauth/signin?code=***&state=… answered HTTP 404, body "<html><body>404: Not Found</body></html>": OpenG2P did not sign the user in`,
      );
    } finally {
      server.close();
    }
  });

  test('secrets in a callback URL are masked', () => {
    assert.equal(
      maskedUrl('https://g2p.example.org/auth_oauth/signin?code=abc123&state=%7B%22d%22%3A1%7D'),
      'https://g2p.example.org/auth_oauth/signin?code=***&state=…',
    );
  });
});

describe('the login compatibility table', () => {
  const judge = (esignetVersion: string, generation: 15 | 17, modules: Record<string, string>) =>
    assessLoginCompatibility({ esignetVersion, generation, modules });
  const ids = (a: ReturnType<typeof judge>) => a.rows.map((r) => r.id);

  test('every row names its source and whether it was read or inferred', () => {
    for (const row of LOGIN_COMPATIBILITY) {
      assert.ok(row.source.length > 20, row.id);
      assert.ok(['source', 'inferred'].includes(row.evidence), row.id);
      assert.ok(row.fix, row.id);
    }
  });

  test('OpenG2P logs in through e-Signet before 1.6 and through no later release', () => {
    const g15 = { auth_oidc: '15.0.1.0.1', g2p_auth_id_oidc: '15.0.1.1.0' };
    const g17 = { g2p_auth_oidc: '17.0.1.4.0' };
    assert.equal(judge('1.4.1', 15, g15).verdict, 'compatible');
    assert.equal(judge('1.5.1', 17, g17).verdict, 'compatible');
    assert.deepEqual(ids(judge('1.6.2', 15, g15)), ['esignet-1.6-requires-assertion-jti']);
    assert.deepEqual(ids(judge('1.7.1', 17, g17)), ['esignet-1.6-requires-assertion-jti', 'esignet-1.7-signs-ps256']);
  });

  test('g2p_auth_id_oidc 15.0.1.1.0 with auth_oidc 15.0.1.1.0 cannot log in; either upgrade fixes it', () => {
    assert.deepEqual(ids(judge('1.4.1', 15, { auth_oidc: '15.0.1.1.0', g2p_auth_id_oidc: '15.0.1.1.0' })), [
      'g2p-auth-id-oidc-15.0.1.1.0-with-auth-oidc-15.0.1.1.0',
    ]);
    assert.equal(judge('1.4.1', 15, { auth_oidc: '15.0.1.1.0', g2p_auth_id_oidc: '15.0.1.2.0' }).verdict, 'compatible');
    assert.equal(judge('1.4.1', 15, { auth_oidc: '15.0.1.0.1', g2p_auth_id_oidc: '15.0.1.1.0' }).verdict, 'compatible');
  });

  test('discovery alone places a server before 1.7, in 1.7.x, or from 1.8', () => {
    const base = {
      issuer: 'i',
      authorization_endpoint: 'https://a',
      token_endpoint: 'https://t',
      userinfo_endpoint: 'https://u',
      jwks_uri: 'https://j',
    };
    assert.deepEqual(
      versionFromDiscovery({ ...base, token_endpoint_auth_signing_alg_values_supported: ['RS256'] } as Discovery).below,
      '1.7.0',
    );
    assert.equal(
      versionFromDiscovery({
        ...base,
        token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
      } as Discovery).from,
      '1.7.0',
    );
    assert.equal(versionFromDiscovery({ ...base, id_token_signed_response_alg: 'PS256' } as Discovery).from, '1.8.0');
  });
});
