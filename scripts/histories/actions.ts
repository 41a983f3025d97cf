// How the capture starts runs and sends people's messages to them: the only part of the capture
// that knows the workflow's arguments and message shapes. When those change (e.g. a signed start
// command beside the spec, approvers named from a registry, signed retry/abort), change this file
// and re-run `npm run capture-histories`; the scenarios stay as they are.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { abortRun, retryRun, startOnboarding } from '../../src/cli/runs.js';
import { approveSignal, type StatusView } from '../../src/workflows/messages.js';
import { signer } from '../../test/helpers/identities.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import { approveAs, decisionToken, rejectAs } from '../../test/helpers/approve.js';

/** Who starts every captured run, and who operates them (approvers are the fixture approvers alice, bob, carol). */
export const CAPTURE_INITIATOR = 'staff-1';
export const CAPTURE_OPERATOR = 'ops-1';

export interface RunActions {
  start(client: Client, spec: DeploymentSpec): Promise<WorkflowHandle>;
  approve(handle: WorkflowHandle, approver: string, comment?: string): Promise<void>;
  /** The signal form of an approval, for tools that can only signal. */
  approveBySignal(handle: WorkflowHandle, approver: string, comment?: string): Promise<void>;
  /** A signal whose signature does not verify: audited as refused, not applied. */
  forgedApprovalSignal(handle: WorkflowHandle, claimedApprover: string): Promise<void>;
  reject(handle: WorkflowHandle, approver: string, comment: string): Promise<void>;
  retry(handle: WorkflowHandle, correctedSpec?: DeploymentSpec, comment?: string): Promise<StatusView>;
  abort(handle: WorkflowHandle, comment: string): Promise<StatusView>;
}

export const actions: RunActions = {
  start: (client, spec) => startOnboarding(client, spec, signer(CAPTURE_INITIATOR)),
  approve: async (handle, approver, comment) => {
    await approveAs(handle, approver, comment);
  },
  approveBySignal: async (handle, approver, comment) => {
    await handle.signal(approveSignal, { token: await decisionToken(handle, approver, 'approve', comment) });
  },
  forgedApprovalSignal: async (handle, claimedApprover) => {
    // Signed by mallory, claiming to be someone on the list.
    const token = await decisionToken(handle, 'mallory', 'approve', 'forged', { approver: claimedApprover });
    await handle.signal(approveSignal, { token });
  },
  reject: async (handle, approver, comment) => {
    await rejectAs(handle, approver, comment);
  },
  retry: (handle, spec, comment) => retryRun(handle, signer(CAPTURE_OPERATOR), { comment, spec }),
  abort: (handle, comment) => abortRun(handle, signer(CAPTURE_OPERATOR), comment),
};
