// verifyIntegration: read back what the run configured and, where the spec names a test
// identity, log in end to end: OpenG2P's login button → e-Signet → OpenG2P's callback, which
// exchanges the code with a private-key-JWT assertion signed by the key we registered.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { TransientRemoteError } from '../clients/errors.js';
import { EgressRefused } from '../clients/egress.js';
import { loginWithOtp } from '../clients/esignet-login.js';
import { completeOAuthSignin } from '../clients/odoo-web.js';
import { openg2pRedirectUri } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { odooSession } from './openg2p.js';
import { VERIFIED_FIELDS } from './openg2p-provider.js';
import type { EsignetEndpoints, PrerequisiteCheck, VerificationReport } from './types.js';
import { FAILING } from '../checks/report.js';
import { consistencyReport } from './consistency.js';

export interface VerificationInput {
  clientId: string;
  providerId: number;
  endpoints: EsignetEndpoints;
}

/** Logins tried per activity attempt, and activity attempts before a refused login blocks the run. */
const LOGINS_PER_ATTEMPT = 3;
const LOGIN_ATTEMPTS_BEFORE_BLOCKING = 4;

/**
 * Tries the end-to-end login a few times; undefined when one succeeded, else why the last
 * one failed. Only transient trouble on every try escapes, so Temporal retries the activity.
 */
async function loginEndToEnd(login: () => Promise<{ ok: boolean; location: string }>): Promise<string | undefined> {
  let refusal: string | undefined;
  let transient: TransientRemoteError | undefined;
  for (let i = 0; i < LOGINS_PER_ATTEMPT; i++) {
    try {
      const outcome = await login();
      if (outcome.ok) return undefined;
      refusal = `OpenG2P's callback refused the login (redirected to ${outcome.location})`;
    } catch (err) {
      // What the worker policy refused blocks the run as such, naming the setting; no retry changes it.
      if (err instanceof EgressRefused) throw err;
      if (err instanceof TransientRemoteError) transient = err;
      else refusal = (err as Error).message;
    }
  }
  if (refusal === undefined && transient) throw transient;
  return refusal;
}

export function verificationActivities(deps: ActivityDeps) {
  return {
    async verifyIntegration(spec: DeploymentSpec, input: VerificationInput): Promise<VerificationReport> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const checks: PrerequisiteCheck[] = [];
        const fail = (name: string, evidence: string) => checks.push({ name, ok: false, evidence });
        const pass = (name: string, evidence: string) => checks.push({ name, ok: true, evidence });

        const password = await secrets.get(spec.openg2p.password);
        const { odoo, uid } = await odooSession(spec, password, deps);
        const [record] = await odoo.searchRead(
          uid,
          password,
          'auth.oauth.provider',
          [['id', '=', input.providerId]],
          [...VERIFIED_FIELDS, 'client_private_key'],
          1,
        );
        if (!record) fail('openg2p.provider', `provider #${input.providerId} is gone`);
        else {
          const wrong: string[] = [];
          if (record.client_id !== input.clientId) wrong.push(`client_id is ${String(record.client_id)}`);
          if (record.enabled !== true) wrong.push('not enabled');
          if (record.token_endpoint !== input.endpoints.tokenEndpoint)
            wrong.push('token_endpoint differs from e-Signet discovery');
          if (record.jwks_uri !== input.endpoints.jwksUri) wrong.push('jwks_uri differs from e-Signet discovery');
          if (!record.client_private_key) wrong.push('client_private_key is empty');
          if (wrong.length) fail('openg2p.provider', wrong.join('; '));
          else
            pass(
              'openg2p.provider',
              `provider #${input.providerId} holds client ${input.clientId} and discovery's endpoints`,
            );
        }

        // The consistency checks (src/checks) before any login: a client that lost OpenG2P's
        // redirect URI, or kept an old one, blocks the run saying so.
        const report = await consistencyReport(spec, secrets, deps);
        const failing = report.results.filter((r) => FAILING.includes(r.status));
        const uris = failing.filter((r) => r.check === 'redirectUris');
        if (uris.length) {
          throw blockingFailure('RedirectUriStale', uris.map((r) => `${r.resource}: ${r.detail}`).join('; '), {
            system: 'esignet',
          });
        }
        if (failing.length) {
          throw blockingFailure(
            'ConsistencyDrift',
            failing.map((r) => `${r.resource} ${r.check} ${r.status}: ${r.detail}`).join('; '),
          );
        }
        pass(
          'consistency',
          `${report.results.filter((r) => r.status === 'in-sync').length} in sync, ${report.results.filter((r) => r.status === 'expiring').length} expiring, ${report.results.filter((r) => r.status === 'cannot-check').length} cannot be checked`,
        );

        const links = await odoo.loginPageProviders();
        const button = links.find(
          (l) =>
            l.label.trim() === spec.openg2p.provider.buttonLabel &&
            l.authLink.includes(encodeURIComponent(input.clientId)),
        );
        if (!button)
          fail(
            'openg2p.loginPage',
            `/web/login shows no "${spec.openg2p.provider.buttonLabel}" button for client ${input.clientId}`,
          );
        else pass('openg2p.loginPage', `/web/login shows "${spec.openg2p.provider.buttonLabel}"`);

        if (button && spec.verification) {
          const otp = await secrets.get(spec.verification.otp);
          const login = async () => {
            const code = await loginWithOtp(
              spec.esignet.baseUrl,
              button.authLink,
              spec.verification!.individualId,
              otp,
              deps.http,
            );
            secrets.remember(code.code);
            return completeOAuthSignin(
              spec.openg2p.url,
              openg2pRedirectUri(spec),
              { code: code.code, state: code.state },
              deps.http,
            );
          };
          const refusal = await loginEndToEnd(login);
          if (refusal === undefined)
            pass('login.endToEnd', `test identity logged in to OpenG2P through e-Signet (private-key-JWT accepted)`);
          else fail('login.endToEnd', refusal);
        }

        const failed = checks.filter((c) => !c.ok);
        // OpenG2P's callback answers every failure alike, e-Signet's passing trouble behind it
        // included: a refused login alone is retried a few times before the run blocks.
        if (
          failed.length &&
          failed.every((c) => c.name === 'login.endToEnd') &&
          Context.current().info.attempt < LOGIN_ATTEMPTS_BEFORE_BLOCKING
        ) {
          throw ApplicationFailure.retryable(failed.map((c) => c.evidence).join('; '), 'LoginRefused');
        }
        if (failed.length) {
          throw blockingFailure('VerificationFailed', failed.map((c) => `${c.name}: ${c.evidence}`).join('; '), {
            hint: 'inspect the named records, fix them (or the spec), then `g2p-onboard retry`',
          });
        }
        return { checks };
      });
    },
  };
}
