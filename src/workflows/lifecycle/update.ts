// updateDeployment: spec changes brought to an onboarded deployment — the OIDC client's name,
// logo, redirect URIs (and claims and ACRs where the registration path allows), the OpenG2P
// provider's fields — then verified. The client keeps its id and key; a new key is rotate-key's job.
import { ApplicationFailure } from '@temporalio/workflow';
import type { DeploymentInspection } from '../../activities/types.js';
import type { DeploymentSpec } from '../../spec/schema.js';
import { remote, verification } from '../activity-options.js';
import { RunAborted } from '../run-state.js';
import type { LifecycleResult, LifecycleStart } from './messages.js';
import {
  admitOperation,
  awaitApproval,
  finishOperation,
  inspectDeployment,
  needsApproval,
  openOperation,
  type Operation,
} from './operation.js';

const STEPS = [
  'inspectDeployment',
  'awaitApproval',
  'updateOidcClient',
  'updateOpenG2PProvider',
  'verifyDeployment',
] as const;

export async function updateDeployment(spec: DeploymentSpec, start: LifecycleStart): Promise<LifecycleResult> {
  const op = openOperation(spec, start, STEPS);
  try {
    await admitOperation(op);
    const found = await inspectDeployment(op);
    if (needsApproval(op)) {
      const decision = await awaitApproval(op);
      if (decision !== 'approved') return await finishOperation(op, decision);
    }
    await updateOidcClient(op, found);
    await updateOpenG2PProvider(op, found);
    await verifyDeployment(op, found);
    op.changes.push(...(start.options?.changes ?? []));
    return await finishOperation(op, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finishOperation(op, 'aborted', err.message);
    throw err;
  }
}

/** updateOidcClient replaces the client's settings with the spec's (same id, same key). */
async function updateOidcClient(op: Operation, found: DeploymentInspection): Promise<void> {
  await op.run.runStep(
    'updateOidcClient',
    () =>
      remote.updateOidcClient(op.run.spec, {
        clientId: found.oidcClientId!,
        via: found.oidcClientVia ?? op.run.spec.oidcClient.registration,
      }),
    (r) => `client ${r.clientId}: ${r.fields.join(', ')} set from the spec`,
  );
}

/** updateOpenG2PProvider writes every provider field of the admin guide again, from the spec. */
async function updateOpenG2PProvider(op: Operation, found: DeploymentInspection): Promise<void> {
  await op.run.runStep(
    'updateOpenG2PProvider',
    async () => {
      if (!found.openg2pGeneration)
        throw ApplicationFailure.create({
          type: 'OpenG2PConfig',
          nonRetryable: true,
          message: "OpenG2P's provider model has neither OpenG2P 1.x's nor 1.2+'s OIDC fields",
        });
      return remote.configureOpenG2P(op.run.spec, {
        clientId: found.oidcClientId!,
        clientKeyThumbprint: found.clientKeyThumbprint!,
        endpoints: found.endpoints,
        generation: found.openg2pGeneration,
      });
    },
    (r) => `provider #${r.providerId} "${r.providerName}" updated`,
  );
}

/**
 * verifyDeployment reads everything back and, with a test identity, logs in end to end (today's
 * verifyIntegration; the shared consistency checks replace it when they land). A failure blocks.
 */
async function verifyDeployment(op: Operation, found: DeploymentInspection): Promise<void> {
  await op.run.runStep(
    'verifyDeployment',
    () =>
      verification.verifyIntegration(op.run.spec, {
        clientId: found.oidcClientId!,
        providerId: found.providerId!,
        endpoints: found.endpoints,
      }),
    (r) => r.checks.map((c) => c.name).join(', '),
  );
}
