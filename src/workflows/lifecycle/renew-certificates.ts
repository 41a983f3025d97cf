// renewCertificates: the Auth and MISP partners' certificates renewed before they expire — each
// a new certificate uploaded to PMS and re-signed there, the signed one kept on the worker —
// then verified: PMS serves the renewed certificates.
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
  'renewAuthPartnerCertificate',
  'renewMispPartnerCertificate',
  'verifyDeployment',
] as const;

export async function renewCertificates(spec: DeploymentSpec, start: LifecycleStart): Promise<LifecycleResult> {
  const op = openOperation(spec, start, STEPS);
  try {
    await admitOperation(op);
    const found = await inspectDeployment(op);
    if (needsApproval(op)) {
      const decision = await awaitApproval(op);
      if (decision !== 'approved') return await finishOperation(op, decision);
    }
    await renewCertificate(op, 'renewAuthPartnerCertificate', found.authCertificateFingerprint);
    await renewCertificate(op, 'renewMispPartnerCertificate', found.mispCertificateFingerprint);
    await verifyDeployment(op);
    return await finishOperation(op, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finishOperation(op, 'aborted', err.message);
    throw err;
  }
}

/** renewAuthPartnerCertificate / renewMispPartnerCertificate: a new certificate uploaded and re-signed by PMS. */
async function renewCertificate(
  op: Operation,
  step: 'renewAuthPartnerCertificate' | 'renewMispPartnerCertificate',
  replaces: string | undefined,
): Promise<void> {
  const renewed = await op.run.runStep(
    step,
    () => remote[step](op.run.spec, replaces),
    (r) =>
      `${r.partnerId}: signed certificate sha256:${r.signedCertificateFingerprint.slice(0, 16)}… valid until ${r.notAfter}`,
  );
  op.changes.push(`${renewed.partnerId} certificate renewed (until ${renewed.notAfter})`);
}

/**
 * verifyDeployment: PMS serves the renewed certificates (the one verification call of this
 * operation; the shared consistency checks replace it when they land).
 */
async function verifyDeployment(op: Operation): Promise<void> {
  await op.run.runStep(
    'verifyDeployment',
    () => remote.verifyPartnerCertificates(op.run.spec),
    (r) => `PMS serves the renewed certificates of ${r.checked.join(', ')}`,
  );
}
