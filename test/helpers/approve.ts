// How tests decide a pending approval, the way an approver's CLI does: a decision signed with
// the approver's private key (the fixture approvers' keys live in test/helpers/approvers.ts).
import type { WorkflowHandle } from '@temporalio/client';
import { signCommand, signDecision } from '../../src/approvals/sign.js';
import { specDigest, type CommandClaims } from '../../src/approvals/command.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';
import type { DecisionClaims } from '../../src/approvals/decision.js';
import { approveUpdate, rejectUpdate, statusQuery, type ApprovalRecord } from '../../src/workflows/messages.js';
import { approverPrivateKey } from './approvers.js';

/** A decision token for the run behind `handle`, signed by `approver`; `claims` overrides fields (forgeries, stale times). */
export async function decisionToken(
  handle: WorkflowHandle,
  approver: string,
  decision: 'approve' | 'reject',
  comment?: string,
  claims: Partial<DecisionClaims> = {},
): Promise<string> {
  const status = await handle.query(statusQuery);
  return signDecision(approverPrivateKey(approver), {
    wid: status.workflowId,
    rid: status.firstRunId,
    decision,
    approver,
    comment,
    ...claims,
  });
}

export async function approveAs(handle: WorkflowHandle, approver: string, comment?: string): Promise<ApprovalRecord> {
  return handle.executeUpdate(approveUpdate, {
    args: [{ token: await decisionToken(handle, approver, 'approve', comment) }],
  });
}

export async function rejectAs(handle: WorkflowHandle, approver: string, comment: string): Promise<ApprovalRecord> {
  return handle.executeUpdate(rejectUpdate, {
    args: [{ token: await decisionToken(handle, approver, 'reject', comment) }],
  });
}

/** A retry/abort command for the run behind `handle`, signed by `operator` (the CLI's retryRun/abortRun sign the same way). */
export async function commandToken(
  handle: WorkflowHandle,
  operator: string,
  action: 'retry' | 'abort',
  opts: { comment?: string; spec?: DeploymentSpec } = {},
  claims: Partial<CommandClaims> = {},
): Promise<string> {
  const status = await handle.query(statusQuery);
  return signCommand(approverPrivateKey(operator), {
    action,
    wid: status.workflowId,
    rid: status.firstRunId,
    actor: operator,
    ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
    ...(opts.spec ? { digest: specDigest(opts.spec) } : {}),
    ...claims,
  });
}
