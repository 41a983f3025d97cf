// What the soak reports from the sandbox's own records: every partner, mapping, license, OIDC
// client and provider of the soak's deployments created more than once, and any deployment
// that completed with one of them missing.
import type { SandboxCounts } from './sandbox-process.js';

export interface SoakDeployment {
  deploymentId: string;
  authPartnerId: string;
  mispPartnerId: string;
  policy: string;
  providerName: string;
  /** Set from the run's result when it completed. */
  oidcClientId?: string;
  completed: boolean;
  /** Day-two soak: credentials its operations replaced on purpose (not duplicates), and whether it was offboarded. */
  apiKeysRotated?: number;
  licensesRenewed?: number;
  offboarded?: boolean;
}

export interface DuplicateReport {
  /** Records created more than once (each record counts once, however many extra copies). */
  duplicates: number;
  /** Completed deployments lacking one of their records. */
  missing: number;
  /** API keys issued again because PMS's answer with the first one was lost (the lost one is deactivated). */
  apiKeysReissued: number;
  details: string[];
}

export function findDuplicates(deployments: SoakDeployment[], counts: SandboxCounts): DuplicateReport {
  const report: DuplicateReport = { duplicates: 0, missing: 0, apiKeysReissued: 0, details: [] };
  for (const d of deployments) {
    const records: [string, number | undefined, boolean][] = [
      ['Auth Partner', counts.partners[d.authPartnerId], true],
      ['MISP Partner', counts.partners[d.mispPartnerId], true],
      ['policy mapping', counts.policyMappings[`${d.authPartnerId}/${d.policy}`], true],
      ['MISP license', minus(counts.mispLicenses[d.mispPartnerId], d.licensesRenewed), true],
      // An offboarded deployment has no active key: that is checked with the orphans (soak --lifecycle).
      ['active API key', counts.activeApiKeys[`${d.authPartnerId}/${d.policy}`], !d.offboarded],
      ['OIDC client', d.oidcClientId ? counts.oidcClients[d.oidcClientId] : undefined, d.oidcClientId !== undefined],
      ['OpenG2P provider', counts.openg2pProviders[d.providerName], true],
    ];
    for (const [what, n, expected] of records) {
      if ((n ?? 0) > 1) {
        report.duplicates += 1;
        report.details.push(`${d.deploymentId}: ${what} created ${n} times`);
      } else if (d.completed && expected && n !== 1) {
        report.missing += 1;
        report.details.push(`${d.deploymentId}: completed without its ${what}`);
      }
    }
    report.apiKeysReissued += Math.max(
      0,
      (minus(counts.apiKeys[`${d.authPartnerId}/${d.policy}`], d.apiKeysRotated) ?? 0) - 1,
    );
  }
  return report;
}

/** A creation count less what was created on purpose. */
function minus(n: number | undefined, planned = 0): number | undefined {
  return n === undefined ? undefined : n - planned;
}
