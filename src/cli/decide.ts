// approve / reject: the approver signs the decision with their own private key, so the run
// records a decision anyone can re-verify later, not a name anyone could type.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { loadApproverPrivateKey } from '../approvals/keys.js';
import { signDecision } from '../approvals/sign.js';
import { approveUpdate, rejectUpdate, statusQuery, type ApprovalRecord } from '../workflows/messages.js';
import { sendUpdate, workflowIdFor } from './runs.js';

export class KeyRefError extends Error {
  override name = 'KeyRefError';
}

/** `--key` takes a file path, `file:path` or `env:NAME` — never the key itself on the command line. */
export async function readApproverKey(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (!value) throw new KeyRefError(`--key ${ref}: the environment variable is not set`);
    return value;
  }
  if (ref.includes('PRIVATE KEY')) throw new KeyRefError('--key takes a file path or env:NAME, never the key itself (it would stay in your shell history)');
  const path = ref.startsWith('file:') ? ref.slice(5) : ref;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new KeyRefError(`--key ${ref}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export async function decide(client: Client, id: string, decision: 'approve' | 'reject', approver: string, keyRef: string, comment?: string): Promise<ApprovalRecord> {
  const key = loadApproverPrivateKey(await readApproverKey(keyRef));
  const handle = client.workflow.getHandle(workflowIdFor(id));
  const status = await handle.query(statusQuery);
  const token = signDecision(key, { wid: status.workflowId, rid: status.firstRunId, decision, approver, comment });
  const update = decision === 'approve' ? approveUpdate : rejectUpdate;
  return sendUpdate(() => handle.executeUpdate(update, { args: [{ token }] }));
}
