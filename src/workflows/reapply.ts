// Which finished steps a corrected spec (`retry --spec`) makes stale: each step's inputs as spec
// paths. A step whose inputs changed is run again before the blocked step resumes (re-applied);
// one that cannot change what it made is named in the audit trail instead. Pure and
// deterministic: the workflow and the CLI (to show what a retry will re-apply) share it.
import type { StepName } from './messages.js';
import { changedPaths } from './spec-diff.js';
import type { DeploymentSpec } from '../spec/schema.js';

/** Spec paths (a section, or section.field) each re-appliable step reads. */
export const STEP_INPUTS: Partial<Record<StepName, readonly string[]>> = {
  // Read-only; its e-Signet endpoints and OpenG2P generation feed configureOpenG2P.
  verifyPrerequisites: ['mosip', 'esignet', 'openg2p.url', 'openg2p.database', 'openg2p.login', 'openg2p.password'],
  // A new label has a new key issued (the old one stays as it is in PMS).
  collectCredentials: ['partners.auth.apiKeyLabel'],
  // The client's redirect URIs follow openg2p.url; name, logo, claims and ACRs follow oidcClient.
  registerOidcClient: ['openg2p.url', 'oidcClient', 'esignet.baseUrl', 'esignet.version', 'esignet.clientManagement'],
  configureOpenG2P: ['openg2p', 'esignet.baseUrl'],
};

/**
 * Steps that changed inputs cannot bring up to date: PMS keeps a partner, its mapping and the
 * MISP license as first registered (no update API the run uses). Named in the audit trail.
 */
export const NOT_REAPPLIED: Partial<Record<StepName, readonly string[]>> = {
  createAuthPartner: [
    'partners.auth.organisation',
    'partners.auth.address',
    'partners.auth.contactNumber',
    'partners.auth.email',
    'partners.auth.policyGroup',
  ],
  requestAuthPolicyMapping: ['partners.auth.policy'],
  createMispPartner: [
    'partners.misp.organisation',
    'partners.misp.address',
    'partners.misp.contactNumber',
    'partners.misp.email',
  ],
};

const touches = (inputs: readonly string[], changed: readonly string[]) =>
  changed.filter((c) => inputs.some((i) => c === i || c.startsWith(`${i}.`) || i.startsWith(`${c}.`)));

export interface ReapplyPlan {
  /** Finished steps to run again, in runbook order, with the changed paths that make them stale. */
  reapply: { step: StepName; because: string[] }[];
  /** Finished steps whose inputs changed but which cannot be brought up to date. */
  notReapplied: { step: StepName; because: string[] }[];
}

/** What a corrected spec re-applies among `finished` steps (runbook order kept). */
export function reapplyPlan(before: DeploymentSpec, after: DeploymentSpec, finished: readonly StepName[]): ReapplyPlan {
  const changed = changedPaths(before, after);
  const plan: ReapplyPlan = { reapply: [], notReapplied: [] };
  for (const step of finished) {
    const inputs = STEP_INPUTS[step];
    const because = inputs ? touches(inputs, changed) : [];
    if (because.length) plan.reapply.push({ step, because });
    const fixed = NOT_REAPPLIED[step];
    const lost = fixed ? touches(fixed, changed) : [];
    if (lost.length) plan.notReapplied.push({ step, because: lost });
  }
  return plan;
}
