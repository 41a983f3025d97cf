// rotateClientKey: e-Signet never changes a client's public key, so rotating it means a new
// client. Reads like the runbook: new key on the worker → new client (new id) → OpenG2P switched
// to the new client id and key in one write → verification → old client INACTIVE. A failed
// verification switches OpenG2P back and leaves the new client INACTIVE. Durable: a worker
// killed anywhere resumes where it stopped, so exactly one client is ACTIVE when the run ends.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { DeploymentInspection, GeneratedClientKey, OidcClientResult } from '../../activities/types.js';
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
  'generateNextClientKey',
  'registerNextOidcClient',
  'switchOpenG2PClient',
  'verifyDeployment',
  'deactivateOldOidcClient',
  'switchOpenG2PBack',
  'deactivateNextOidcClient',
] as const;

export async function rotateClientKey(spec: DeploymentSpec, start: LifecycleStart): Promise<LifecycleResult> {
  const op = openOperation(spec, start, STEPS);
  let found: DeploymentInspection | undefined;
  let next: { key: GeneratedClientKey; client?: OidcClientResult } | undefined;
  try {
    await admitOperation(op);
    found = await inspectDeployment(op);
    if (needsApproval(op)) {
      const decision = await awaitApproval(op);
      if (decision !== 'approved') return await finishOperation(op, decision);
    }
    next = { key: await generateNextClientKey(op) };
    next.client = await registerNextOidcClient(op, next.key);
    await switchOpenG2PClient(op, found, next.client.clientId, next.key.thumbprint, 'switchOpenG2PClient');
    const failure = await verifyDeployment(op, found, next.client.clientId);
    if (failure) {
      await rollBack(op, found, next.key, next.client);
      return await finishOperation(op, 'rolled_back', `verification failed, switched back: ${failure}`);
    }
    await deactivateOldOidcClient(op, found, next.key);
    return await finishOperation(op, 'completed');
  } catch (err) {
    if (!(err instanceof RunAborted)) throw err;
    // Aborted while blocked after the new client exists: put everything back as it was.
    if (found && next?.client) await rollBack(op, found, next.key, next.client);
    return await finishOperation(op, 'aborted', err.message);
  }
}

/** generateNextClientKey makes the new RSA key on the worker; only its thumbprint is shown. */
async function generateNextClientKey(op: Operation): Promise<GeneratedClientKey> {
  return op.run.runStep(
    'generateNextClientKey',
    () => remote.generateNextClientKey(op.run.deploymentId),
    (k) => `RSA key ${k.thumbprint}`,
  );
}

/** registerNextOidcClient registers a new client for the new key (a new client id). */
async function registerNextOidcClient(op: Operation, key: GeneratedClientKey): Promise<OidcClientResult> {
  return op.run.runStep(
    'registerNextOidcClient',
    () => remote.registerNextOidcClient(op.run.spec, key.thumbprint),
    (c) => `client ${c.clientId} ${c.status}${c.adopted ? ' (existing client adopted)' : ''}`,
  );
}

/** switchOpenG2PClient writes the client id and its private key into the provider in one write. */
async function switchOpenG2PClient(
  op: Operation,
  found: DeploymentInspection,
  clientId: string,
  thumbprint: string,
  step: 'switchOpenG2PClient' | 'switchOpenG2PBack',
): Promise<void> {
  await op.run.runStep(
    step,
    () =>
      remote.switchOpenG2PClient(op.run.spec, {
        providerId: found.providerId!,
        clientId,
        clientKeyThumbprint: thumbprint,
      }),
    () => `provider #${found.providerId} now uses client ${clientId} (key ${thumbprint})`,
  );
}

/** Verification answers that mean the new client does not work as OpenG2P's. */
const ROLL_BACK_ON = ['VerificationFailed', 'ConsistencyDrift', 'RedirectUriStale'];

/**
 * verifyDeployment reads everything back and, with a test identity, logs in through the new
 * client: verifyIntegration, which runs the consistency checks against the new client and key, then
 * the login. Returns why it failed, or undefined.
 */
async function verifyDeployment(
  op: Operation,
  found: DeploymentInspection,
  clientId: string,
): Promise<string | undefined> {
  return op.run.runStep(
    'verifyDeployment',
    async () => {
      try {
        await verification.verifyIntegration(op.run.spec, {
          clientId,
          providerId: found.providerId!,
          endpoints: found.endpoints,
        });
        return undefined;
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : err;
        // What the new client failed on, whether the login or a consistency check said it: roll back.
        if (cause instanceof ApplicationFailure && ROLL_BACK_ON.includes(cause.type ?? '')) return cause.message;
        throw err;
      }
    },
    (failure) => failure ?? `the new client ${clientId} works end to end`,
  );
}

/** deactivateOldOidcClient sets the old client INACTIVE and makes the new key the deployment's. */
async function deactivateOldOidcClient(
  op: Operation,
  found: DeploymentInspection,
  key: GeneratedClientKey,
): Promise<void> {
  const old = found.oidcClientId!;
  await op.run.runStep(
    'deactivateOldOidcClient',
    async () => {
      const change = await remote.setOidcClientStatus(op.run.spec, {
        clientId: old,
        via: found.oidcClientVia ?? op.run.spec.oidcClient.registration,
        status: 'INACTIVE',
      });
      await remote.adoptNextClientKey(op.run.deploymentId, key.thumbprint);
      return change;
    },
    (change) =>
      `client ${old} ${change === 'absent' ? 'not found' : 'INACTIVE'}; key ${key.thumbprint} is the deployment's`,
  );
  op.changes.push(
    `OIDC client ${old} INACTIVE`,
    `client key ${found.clientKeyThumbprint} replaced by ${key.thumbprint}`,
  );
  op.run.ids.clientKeyThumbprint = key.thumbprint;
}

/** rollBack: OpenG2P back on the old client and key, the new client INACTIVE, the new key dropped. */
async function rollBack(
  op: Operation,
  found: DeploymentInspection,
  key: GeneratedClientKey,
  client: OidcClientResult,
): Promise<void> {
  await switchOpenG2PClient(op, found, found.oidcClientId!, found.clientKeyThumbprint!, 'switchOpenG2PBack');
  await op.run.runStep(
    'deactivateNextOidcClient',
    async () => {
      await remote.setOidcClientStatus(op.run.spec, {
        clientId: client.clientId,
        via: client.via ?? op.run.spec.oidcClient.registration,
        status: 'INACTIVE',
      });
      await remote.dropNextClientKey(op.run.deploymentId, key.thumbprint);
    },
    () => `client ${client.clientId} INACTIVE; key ${key.thumbprint} dropped`,
  );
  op.run.ids.oidcClientId = found.oidcClientId;
}
