// requestAuthPolicyMapping, the PMS watch and decidePolicyMapping: the request the Partner
// Admin approves, how a decision given in the PMS portal is noticed, and how the people's
// decision is recorded on PMS.
import { isMosipCode } from '../clients/mosip-envelope.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { currentActivityContext, guardedFor, type ActivityDeps } from './context.js';
import { adminPms, withReusedAdminPms } from './mosip-session.js';
import { blockingFailure, mappingStillPending } from './failures.js';
import type { MappingDecision, MappingResult } from './types.js';

export function policyMappingActivities(deps: ActivityDeps) {
  return {
    /** Find-or-request the Auth Partner ↔ policy mapping; a rejected one is requested again. */
    async requestAuthPolicyMapping(spec: DeploymentSpec): Promise<MappingResult> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        const { id, policy } = spec.partners.auth;
        const existing = await pms.findPolicyMapping(id, policy);
        if (existing && existing.status !== 'rejected') return { ...existing, created: false };
        try {
          const { mappingKey } = await pms.requestPolicyMapping(
            id,
            policy,
            `OpenG2P deployment ${spec.deploymentId} logs in with e-Signet`,
          );
          return { mappingKey, status: 'InProgress', created: true };
        } catch (err) {
          if (!isMosipCode(err, 'PMS_PRT_053')) throw err;
          const found = await pms.findPolicyMapping(id, policy);
          if (!found) throw err;
          return { ...found, created: false };
        }
      });
    },

    /**
     * Returns once PMS shows the mapping decided (approval or rejection given in the PMS portal).
     * While it is still InProgress the attempt fails as a benign, retryable `MappingStillPending`
     * and Temporal retries it at the spec's poll interval: the polling lives in the server's retry
     * timer, not in the workflow, so a waiting run adds no history and no workflow task per poll
     * and can leave the worker's cache until something happens to it.
     */
    async awaitPolicyMappingDecision(spec: DeploymentSpec, mappingKey: string): Promise<MappingDecision> {
      // PMS was read when the mapping was requested, a moment ago. Temporal cannot start an
      // activity later, and a workflow timer before it would cost every waiting run a workflow
      // task (a replay, once it left the cache) when it fires: so the first attempt only arms the
      // retry schedule and the first check is one poll interval after the wait began.
      if (currentActivityContext()?.info.attempt === 1)
        throw mappingStillPending(mappingKey, spec.approval.pollInterval);
      return guardedFor(spec, deps, async (secrets, deps) => {
        const found = await withReusedAdminPms(spec, secrets, deps.http, (pms) =>
          pms.findPolicyMapping(spec.partners.auth.id, spec.partners.auth.policy),
        );
        if (!found || found.mappingKey !== mappingKey) {
          throw blockingFailure(
            'MappingMissing',
            `PMS no longer shows policy mapping ${mappingKey} for ${spec.partners.auth.id}`,
            { system: 'pms' },
          );
        }
        if (found.status === 'InProgress') throw mappingStillPending(mappingKey, spec.approval.pollInterval);
        return { status: found.status };
      });
    },

    /** Records the Partner Admin's decision on PMS (idempotent: the same decision twice is fine). */
    async decidePolicyMapping(
      spec: DeploymentSpec,
      mappingKey: string,
      decision: 'Approved' | 'Rejected',
    ): Promise<void> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const pms = await adminPms(spec, secrets, deps.http);
        await pms.decidePolicyMapping(mappingKey, decision);
      });
    },
  };
}
