// The verification of day-two operations that switch things off or replace credentials, read
// back from each system: after offboarding nothing of the deployment is on; after a credential
// rotation PMS hands out the license the worker holds. (The shared consistency checks will take
// these over; until then each operation's verifyDeployment step calls one of these.)
import type { DeploymentSpec } from '../spec/schema.js';
import { sha256Hex } from '../security/fingerprint.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { adminPms } from './mosip-session.js';
import { odooSession } from './openg2p.js';
import type { PrerequisiteCheck, VerificationReport } from './types.js';

function report(checks: PrerequisiteCheck[]): VerificationReport {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length)
    throw blockingFailure('VerificationFailed', failed.map((c) => `${c.name}: ${c.evidence}`).join('; '), {
      hint: 'inspect the named records, fix them, then `g2p-onboard retry`',
    });
  return { checks };
}

export function deploymentOffCheckActivities(deps: ActivityDeps) {
  return {
    /** Provider disabled, partners De-Active, and on the PMS path the client INACTIVE (e-Signet has no read API). */
    async verifyOffboarded(spec: DeploymentSpec, clientIds: string[]): Promise<VerificationReport> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const checks: PrerequisiteCheck[] = [];
        const password = await secrets.get(spec.openg2p.password);
        const { odoo, uid } = await odooSession(spec, password, deps);
        const [provider] = await odoo.searchRead(
          uid,
          password,
          'auth.oauth.provider',
          [['name', '=', spec.openg2p.provider.name]],
          ['id', 'enabled'],
          1,
        );
        checks.push({
          name: 'openg2p.provider',
          ok: !provider || provider.enabled === false,
          evidence: provider ? `provider #${provider.id} enabled: ${String(provider.enabled)}` : 'no provider',
        });
        const pms = await adminPms(spec, secrets, deps.http);
        for (const partnerId of [spec.partners.auth.id, spec.partners.misp.id]) {
          const partner = await pms.getPartner(partnerId);
          checks.push({
            name: `pms.partner.${partnerId}`,
            ok: !partner?.isActive,
            evidence: partner ? `status ${partner.status}` : 'not on PMS',
          });
        }
        if (spec.oidcClient.registration === 'pms')
          for (const clientId of clientIds) {
            const client = await pms.getOidcClient(clientId);
            checks.push({
              name: `pms.oidcClient.${clientId}`,
              ok: !client || String(client.status).toUpperCase() === 'INACTIVE',
              evidence: client ? `status ${client.status}` : 'not on PMS',
            });
          }
        return report(checks);
      });
    },

    /** PMS hands out the MISP license the worker holds (an API key's status has no read API on PMS 1.2.0.1). */
    async verifyCredentials(spec: DeploymentSpec): Promise<VerificationReport> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const stored = await deps.credentials.read(spec.deploymentId);
        const pms = await adminPms(spec, secrets, deps.http);
        const served = await pms.getMispLicense(spec.partners.misp.id);
        const held = stored.mispLicenseKey;
        return report([
          {
            name: 'pms.mispLicense',
            ok: served !== undefined && held !== undefined && served.licenseKey === held,
            evidence: served
              ? `PMS serves license sha256:${sha256Hex(served.licenseKey).slice(0, 16)}…`
              : 'PMS serves no license',
          },
          {
            name: 'worker.apiKey',
            ok: stored.apiKey !== undefined && (stored.retiredApiKeys ?? []).length === 0,
            evidence: stored.apiKey
              ? `API key "${stored.apiKey.label}" held, none left to deactivate`
              : 'no API key held',
          },
        ]);
      });
    },
  };
}
