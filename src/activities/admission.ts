// admitRun: the worker's word on a run before anything is touched. The spec came from someone
// the worker's controls exist to check, through a client the worker does not control, so it is
// validated again here, and the people who may start, decide on and operate the run are taken
// from the worker's identity registry, never from the spec.
import { deploymentSpecSchema, type DeploymentSpec } from '../spec/schema.js';
import { withRole } from '../security/worker-policy.js';
import { specRefusals } from '../security/spec-admission.js';
import { RUN_REFUSED, type RunTrust, type TrustedIdentity } from '../workflows/messages.js';
import { guarded, type ActivityDeps } from './context.js';
import { runningWorkflow } from './lifecycle-exclusion.js';
import { currentActivityContext } from './context.js';
import { lifecycleWorkflowId } from '../spec/derived.js';
import { ApplicationFailure } from '@temporalio/common';

export function admissionActivities(deps: ActivityDeps) {
  return {
    async admitRun(spec: DeploymentSpec): Promise<RunTrust> {
      return guarded(deps, async () => {
        const problems: string[] = [];
        const parsed = deploymentSpecSchema.safeParse(spec);
        if (!parsed.success)
          problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
        // What `validate --policy` shows offline: hosts, env names and file paths beyond the policy.
        else problems.push(...specRefusals(parsed.data, deps.policy).map((r) => `${r.path}: ${r.message}`));
        const registry = deps.policy;
        const approvers = withRole(registry, 'approver');
        const named = (spec?.approval?.approvers ?? []).map((a) => a.name);
        const unknown = named.filter((name) => !approvers.some((a) => a.name === name));
        if (unknown.length) {
          problems.push(
            `approval.approvers: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not an approver in the worker's identity registry (${registry.source})`,
          );
        }
        // A day-two operation on this deployment is running: onboarding must not interleave with it.
        const lifecycleId = parsed.success ? lifecycleWorkflowId(parsed.data.deploymentId) : undefined;
        const caller = currentActivityContext()?.info.workflowExecution?.workflowId;
        if (lifecycleId && caller !== lifecycleId && (await runningWorkflow(lifecycleId)) === 'running')
          problems.push(
            `a day-two operation on ${spec.deploymentId} is running (${lifecycleId}); start the onboarding again once it has ended`,
          );
        if (problems.length) {
          // Not a blocking reason: the workflow ends a refused run before any step (authority.ts).
          throw ApplicationFailure.create({
            type: RUN_REFUSED,
            message: `the worker refuses this spec: ${problems.join('; ')}`,
            nonRetryable: true,
            details: [
              {
                hint: 'correct the spec (`g2p-onboard validate --policy <the worker policy>` shows the same problems offline) and start again; registry changes are for the worker operator',
              },
            ],
          });
        }
        const relevant = registry.identities.filter(
          (i) => i.roles.includes('initiator') || i.roles.includes('operator') || named.includes(i.name),
        );
        const identities: TrustedIdentity[] = relevant.map((i) => ({
          name: i.name,
          // An approver not named by this spec gets no approver role in this run.
          roles: i.roles.filter((r) => r !== 'approver' || named.includes(i.name)),
          ...(i.publicKey ? { publicKey: i.publicKey, thumbprint: i.thumbprint } : {}),
          // Only approvers decide with passkeys; a run records them only where this run may use them.
          ...(i.passkeys.length && named.includes(i.name) ? { passkeys: i.passkeys } : {}),
        }));
        return { identities };
      });
    },
  };
}
