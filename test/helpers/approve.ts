// How tests decide a pending approval, the way an approver's CLI does. One place, so tests do
// not depend on how decisions are carried (names today, signed decisions tomorrow).
import type { WorkflowHandle } from '@temporalio/client';
import { approveUpdate, rejectUpdate, type ApprovalRecord } from '../../src/workflows/messages.js';

export async function approveAs(handle: WorkflowHandle, approver: string, comment?: string): Promise<ApprovalRecord> {
  return handle.executeUpdate(approveUpdate, { args: [{ approver, comment }] });
}

export async function rejectAs(handle: WorkflowHandle, approver: string, comment: string): Promise<ApprovalRecord> {
  return handle.executeUpdate(rejectUpdate, { args: [{ approver, comment }] });
}
