// The prerequisite checks behind "can this OpenG2P log in through this e-Signet?": the e-Signet
// release the server shows against the spec's, OpenG2P's installed OIDC modules, and the pair
// against the compatibility table (src/compat/login-compatibility.ts).
import { assessLoginCompatibility, describeRow, type LoginCompatibilityRow } from '../compat/login-compatibility.js';
import { detectEsignetVersion, reconcileEsignetVersion, type ReconciledVersion } from '../clients/esignet-version.js';
import type { Discovery } from '../clients/esignet.js';
import type { OdooClient } from '../clients/odoo.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { ActivityDeps } from './context.js';

/** The OIDC modules the table knows, plus Odoo's own auth_oauth. */
export const OIDC_MODULES = ['auth_oauth', 'auth_oidc', 'g2p_auth_oidc', 'g2p_auth_id_oidc'];

/** e-Signet's release against the spec's; a mismatch fails the check (the spec picks the client API by it). */
export async function checkEsignetVersion(
  spec: DeploymentSpec,
  discovery: Discovery,
  deps: ActivityDeps,
): Promise<{ evidence: string; value: ReconciledVersion }> {
  const detected = await detectEsignetVersion(spec.esignet.baseUrl, discovery, deps.http);
  const version = reconcileEsignetVersion(spec.esignet.version, detected);
  if (version.mismatch) throw new Error(version.mismatch);
  const evidence = version.confirmed
    ? `e-Signet ${version.effective}: ${detected.how}`
    : `e-Signet ${version.effective} as the spec says; the server does not name its release, and ${detected.how}`;
  return { evidence, value: version };
}

/** Installed modules by technical name → installed version (what runs is the code on disk). */
export async function readOidcModules(
  odoo: OdooClient,
  uid: number,
  password: string,
): Promise<Record<string, string>> {
  const rows = await odoo.searchRead<{
    name: string;
    state: string;
    installed_version: string | false;
    latest_version: string | false;
  }>(
    uid,
    password,
    'ir.module.module',
    [['name', 'in', OIDC_MODULES]],
    ['name', 'state', 'installed_version', 'latest_version'],
  );
  const modules: Record<string, string> = {};
  for (const row of rows) {
    const version = row.installed_version || row.latest_version;
    if (row.state === 'installed' && version) modules[row.name] = version;
  }
  return modules;
}

export interface CompatibilityOutcome {
  evidence: string;
  /** Passed with a caveat: inferred evidence, no row covering the pair, or `loginCompatibility: warn`. */
  warning?: boolean;
  /** Set when the run must block: what fails and the fix. */
  refusal?: { message: string; fix: string };
}

const sources = (rows: LoginCompatibilityRow[]) => rows.map((r) => `${r.id}: ${r.source}`).join('; ');

/** Judges the detected pair by the table, as the spec's `openg2p.loginCompatibility` asks. */
export function judgeLoginCompatibility(
  spec: DeploymentSpec,
  esignetVersion: string,
  generation: 15 | 17,
  modules: Record<string, string>,
): CompatibilityOutcome {
  const installed =
    Object.entries(modules)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ') || 'no OIDC module';
  const pair = `e-Signet ${esignetVersion} with OpenG2P ${generation === 15 ? '1.x' : '1.2+'} (${installed})`;
  const assessment = assessLoginCompatibility({ esignetVersion, generation, modules });
  if (assessment.verdict === 'compatible')
    return { evidence: `${pair} can log in (${assessment.rows[0]!.id}; ${sources(assessment.rows)})` };
  if (assessment.verdict === 'unknown')
    return {
      warning: true,
      evidence: `${pair}: no row of the login compatibility table covers this pair; the login check (verification) will tell`,
    };
  const why = assessment.rows.map(describeRow).join('; ');
  const fix = assessment.rows.map((r) => r.fix).join('; and ');
  const inferred = assessment.rows.every((r) => r.evidence === 'inferred');
  if (inferred || spec.openg2p.loginCompatibility === 'warn') {
    const because = inferred ? 'evidence inferred, not read in source' : 'openg2p.loginCompatibility: warn';
    return { warning: true, evidence: `${pair} is expected to fail the login (${because}): ${why}; fix: ${fix}` };
  }
  return {
    evidence: `${pair} cannot log in: ${why}`,
    refusal: { message: `${pair} cannot complete a private_key_jwt login: ${why} [${sources(assessment.rows)}]`, fix },
  };
}
