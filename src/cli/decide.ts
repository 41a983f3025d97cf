// Signing as a person: approve / reject sign the decision, start / retry / abort the command,
// with the sender's own private key, so the run records who acted, not a name anyone could type.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { loadApproverPrivateKey } from '../approvals/keys.js';
import { signDecision, type Signer } from '../approvals/sign.js';
import { approveUpdate, rejectUpdate, statusQuery, type ApprovalRecord } from '../workflows/messages.js';
import { sendUpdate } from './runs.js';
import { keyRefProblem } from '../config/cli.js';

export class KeyRefError extends Error {
  override name = 'KeyRefError';
}

/** `--key` takes a file path, `file:path` or `env:NAME` — never the key itself on the command line. */
export async function readApproverKey(ref: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (!value) throw new KeyRefError(`--key ${ref}: the environment variable is not set`);
    return value;
  }
  const refused = keyRefProblem(ref);
  if (refused) throw new KeyRefError(`--key ${refused}`);
  const path = ref.startsWith('file:') ? ref.slice(5) : ref;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new KeyRefError(`--key ${ref}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The signer `--as`/`--key` name: a person of the worker's identity registry and their private key. */
export async function loadSigner(name: string, keyRef: string, env: NodeJS.ProcessEnv): Promise<Signer> {
  try {
    return { name, key: loadApproverPrivateKey(await readApproverKey(keyRef, env)) };
  } catch (err) {
    if (err instanceof KeyRefError) throw err;
    throw new KeyRefError(
      `--key ${keyRef.startsWith('env:') ? keyRef : 'file'}: not a private key this tool can sign with (${(err as Error).message}); give an Ed25519 or P-256 key as PEM, JWK or unencrypted OpenSSH`,
    );
  }
}

export async function decide(
  client: Client,
  workflowId: string,
  decision: 'approve' | 'reject',
  approver: Signer,
  comment?: string,
): Promise<ApprovalRecord> {
  const { key } = approver;
  const handle = client.workflow.getHandle(workflowId);
  const status = await handle.query(statusQuery);
  const token = signDecision(key, {
    wid: status.workflowId,
    rid: status.firstRunId,
    decision,
    approver: approver.name,
    comment,
  });
  const update = decision === 'approve' ? approveUpdate : rejectUpdate;
  return sendUpdate(() => handle.executeUpdate(update, { args: [{ token }] }), handle);
}
