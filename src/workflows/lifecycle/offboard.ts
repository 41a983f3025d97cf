// offboardDeployment: retiring a relying party, always approved. Reads like the runbook:
// approval, OpenG2P provider disabled (not deleted: users are linked to it), OIDC client
// INACTIVE, API key and MISP license deactivated, partners deactivated, drift watch removed.
// Every step finds before it changes, so a re-run (or a replay after a crash) changes nothing twice.
import type { DeploymentInspection, StatusChange } from '../../activities/types.js';
import type { DeploymentSpec } from '../../spec/schema.js';
import { remote } from '../activity-options.js';
import { RunAborted } from '../run-state.js';
import type { LifecycleResult, LifecycleStart } from './messages.js';
import {
  admitOperation,
  awaitApproval,
  finishOperation,
  inspectDeployment,
  openOperation,
  type Operation,
} from './operation.js';

const STEPS = [
  'inspectDeployment',
  'awaitApproval',
  'disableOpenG2PProvider',
  'deactivateOidcClient',
  'deactivateApiKey',
  'deactivateMispLicense',
  'deactivatePartners',
  'deleteDriftWatch',
  'verifyDeployment',
] as const;

export async function offboardDeployment(spec: DeploymentSpec, start: LifecycleStart): Promise<LifecycleResult> {
  const op = openOperation(spec, start, STEPS);
  try {
    await admitOperation(op);
    const found = await inspectDeployment(op, true);
    if (found.offboardedAt)
      return await finishOperation(
        op,
        'completed',
        `already offboarded at ${found.offboardedAt}: nothing to switch off`,
      );
    const decision = await awaitApproval(op);
    if (decision !== 'approved') return await finishOperation(op, decision);
    await disableOpenG2PProvider(op);
    await deactivateOidcClients(op, found);
    await deactivateApiKey(op);
    await deactivateMispLicense(op);
    await deactivatePartners(op);
    await deleteDriftWatch(op);
    await verifyDeployment(op, found);
    await remote.recordOffboarded(spec.deploymentId, op.run.initiator);
    return await finishOperation(op, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finishOperation(op, 'aborted', err.message);
    throw err;
  }
}

/** Records what a step switched off, in the result's list of changes. */
function switchedOff(op: Operation, what: string, change: StatusChange): string {
  const said = change === 'changed' ? 'switched off' : change === 'unchanged' ? 'already off' : 'not found';
  if (change === 'changed') op.changes.push(what);
  return `${what}: ${said}`;
}

/** disableOpenG2PProvider hides the e-Signet button; the record stays because users are linked to it. */
async function disableOpenG2PProvider(op: Operation): Promise<void> {
  const name = `OpenG2P provider "${op.run.spec.openg2p.provider.name}"`;
  await op.run.runStep(
    'disableOpenG2PProvider',
    () => remote.disableOpenG2PProvider(op.run.spec),
    (c) => switchedOff(op, name, c),
  );
}

/** deactivateOidcClient sets the client INACTIVE (and an unfinished rotation's new client too). */
async function deactivateOidcClients(op: Operation, found: DeploymentInspection): Promise<void> {
  const via = found.oidcClientVia ?? op.run.spec.oidcClient.registration;
  const ids = [found.oidcClientId, found.nextOidcClientId].filter((id): id is string => id !== undefined);
  await op.run.runStep(
    'deactivateOidcClient',
    async () => {
      const said: string[] = [];
      for (const clientId of ids) {
        const change = await remote.setOidcClientStatus(op.run.spec, { clientId, via, status: 'INACTIVE' });
        said.push(switchedOff(op, `OIDC client ${clientId}`, change));
      }
      return said;
    },
    (said) => said.join('; '),
  );
}

/** deactivateApiKey switches off the Auth Partner's API key (and any a rotation replaced). */
async function deactivateApiKey(op: Operation): Promise<void> {
  await op.run.runStep(
    'deactivateApiKey',
    () => remote.deactivateApiKeys(op.run.spec, { current: true }),
    (labels) => {
      for (const l of labels) op.changes.push(`API key "${l}"`);
      return labels.length ? `API key(s) ${labels.join(', ')} de-active` : 'no API key on the worker';
    },
  );
}

/** deactivateMispLicense switches off the MISP license key. */
async function deactivateMispLicense(op: Operation): Promise<void> {
  const name = `MISP license of ${op.run.spec.partners.misp.id}`;
  await op.run.runStep(
    'deactivateMispLicense',
    () => remote.deactivateMispLicense(op.run.spec),
    (c) => switchedOff(op, name, c),
  );
}

/** deactivatePartners sets the Auth and MISP partners De-Active on PMS. */
async function deactivatePartners(op: Operation): Promise<void> {
  await op.run.runStep(
    'deactivatePartners',
    () => remote.deactivatePartners(op.run.spec),
    (changes) =>
      Object.entries(changes)
        .map(([id, c]) => switchedOff(op, `partner ${id}`, c))
        .join('; '),
  );
}

/** deleteDriftWatch removes the deployment's drift watch schedule (gone already is fine). */
async function deleteDriftWatch(op: Operation): Promise<void> {
  await op.run.runStep(
    'deleteDriftWatch',
    () => remote.deleteDriftWatch(op.run.deploymentId),
    (c) => switchedOff(op, 'drift watch schedule', c),
  );
}

/**
 * verifyDeployment reads back that nothing is on (the one verification call of this operation;
 * the shared consistency checks replace its activity when they land).
 */
async function verifyDeployment(op: Operation, found: DeploymentInspection): Promise<void> {
  const clientIds = [found.oidcClientId, found.nextOidcClientId].filter((id): id is string => id !== undefined);
  await op.run.runStep(
    'verifyDeployment',
    () => remote.verifyOffboarded(op.run.spec, clientIds),
    (r) => r.checks.map((c) => `${c.name}: ${c.evidence}`).join('; '),
  );
}
