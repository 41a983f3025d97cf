// rotateCredentials: a new API key and/or MISP license, stored on the worker, then the old one
// deactivated on PMS (a new API key comes first, so the deployment is never without one; PMS
// issues a new license only once the old one is de-active, so there the order is PMS's).
import type { DeploymentSpec } from '../../spec/schema.js';
import { remote } from '../activity-options.js';
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
  'issueNextApiKey',
  'deactivateOldApiKey',
  'renewMispLicense',
  'verifyDeployment',
] as const;

export async function rotateCredentials(spec: DeploymentSpec, start: LifecycleStart): Promise<LifecycleResult> {
  const op = openOperation(spec, start, STEPS);
  // Neither flag: both.
  const both = !start.options?.apiKey && !start.options?.license;
  try {
    await admitOperation(op);
    const found = await inspectDeployment(op);
    if (needsApproval(op)) {
      const decision = await awaitApproval(op);
      if (decision !== 'approved') return await finishOperation(op, decision);
    }
    if (both || start.options?.apiKey) {
      await issueNextApiKey(op, found.apiKeyLabel!);
      await deactivateOldApiKey(op);
    }
    if (both || start.options?.license) await renewMispLicense(op, found.mispLicenseFingerprint!);
    await verifyDeployment(op);
    return await finishOperation(op, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finishOperation(op, 'aborted', err.message);
    throw err;
  }
}

/** issueNextApiKey asks PMS for a new API key under the next label; the worker keeps it. */
async function issueNextApiKey(op: Operation, replaces: string): Promise<void> {
  const issued = await op.run.runStep(
    'issueNextApiKey',
    () => remote.issueNextApiKey(op.run.spec, replaces),
    (k) => `API key "${k.label}" sha256:${k.apiKeyFingerprint.slice(0, 16)}… replaces "${k.replaces}"`,
  );
  op.run.ids.apiKeyFingerprint = issued.apiKeyFingerprint;
}

/** deactivateOldApiKey switches off the key the new one replaced. */
async function deactivateOldApiKey(op: Operation): Promise<void> {
  await op.run.runStep(
    'deactivateOldApiKey',
    () => remote.deactivateApiKeys(op.run.spec, { current: false }),
    (labels) => {
      for (const l of labels) op.changes.push(`API key "${l}" de-active`);
      return labels.length ? `${labels.join(', ')} de-active` : 'nothing left to deactivate';
    },
  );
}

/** renewMispLicense deactivates the MISP license and stores the one PMS issues next. */
async function renewMispLicense(op: Operation, replaces: string): Promise<void> {
  const renewed = await op.run.runStep(
    'renewMispLicense',
    () => remote.renewMispLicense(op.run.spec, replaces),
    (l) => `license sha256:${l.licenseKeyFingerprint.slice(0, 16)}… replaces sha256:${l.replaces.slice(0, 16)}…`,
  );
  op.changes.push(`MISP license sha256:${renewed.replaces.slice(0, 16)}… de-active`);
  op.run.ids.mispLicenseFingerprint = renewed.licenseKeyFingerprint;
}

/**
 * verifyDeployment reads the credentials back (the one verification call of this operation; the
 * shared consistency checks replace its activity when they land).
 */
async function verifyDeployment(op: Operation): Promise<void> {
  await op.run.runStep(
    'verifyDeployment',
    () => remote.verifyCredentials(op.run.spec),
    (r) => r.checks.map((c) => c.evidence).join('; '),
  );
}
