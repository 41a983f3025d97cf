// The audit export: every step, decision (with its signed token), refusal, retry and abort,
// from the live run or — once it closed — from its history alone. `--verify` re-checks every
// signed decision and command against the key recorded with it: the key the worker's identity
// registry held for that person when the run accepted it.
import type { Client } from '@temporalio/client';
import { verifyDecision, verifyPasskeyDecision } from '../approvals/decision.js';
import { passkeyFromToken } from '../approvals/passkey.js';
import { verifyCommand, type CommandAction } from '../approvals/command.js';
import { jwkThumbprint } from '../approvals/keys.js';
import { auditTrailQuery, type AuditEntry, type OnboardingWorkflow } from '../workflows/messages.js';
import { workflowIdFor } from './runs.js';
import type { PlanClaim } from './plan.js';

export interface AuditExport {
  workflowId: string;
  status: string;
  source: 'live run' | 'history';
  entries: (AuditEntry & { verified?: boolean; verification?: string; plan?: PlanClaim })[];
}

/** `run`: the deployment id or the workflow id, as every command names a run. */
export async function loadAudit(client: Client, run: string, verify: boolean): Promise<AuditExport> {
  const handle = client.workflow.getHandle<OnboardingWorkflow>(workflowIdFor(run));
  const description = await handle.describe();
  const status = description.status.name;
  let entries: AuditEntry[];
  let source: AuditExport['source'];
  if (status === 'COMPLETED') {
    entries = (await handle.result()).audit;
    source = 'history';
  } else {
    entries = await handle.query(auditTrailQuery);
    source = 'live run';
  }
  const out: AuditExport = { workflowId: handle.workflowId, status, source, entries: entries.map(withPlan) };
  if (verify) {
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId ?? '';
    out.entries = out.entries.map((e) => (e.token ? { ...e, ...verifyEntry(e, handle.workflowId, firstRunId) } : e));
  }
  return out;
}

/** The plan a signed start or retry carried (shown before it was sent, bound to its signature). */
function withPlan<E extends AuditEntry>(e: E): E & { plan?: PlanClaim } {
  if (!e.token) return e;
  try {
    const claims = JSON.parse(Buffer.from(e.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      plan?: PlanClaim;
    };
    return claims.plan && typeof claims.plan.digest === 'string' ? { ...e, plan: claims.plan } : e;
  } catch {
    return e;
  }
}

const planNote = (e: { plan?: PlanClaim }) =>
  e.plan ? ` [plan ${e.plan.digest.slice(0, 12)}…: ${e.plan.summary}]` : '';

/** Re-checks one signed entry against the key recorded with it; the key must hash to its thumbprint. */
function verifyEntry(
  e: AuditEntry,
  workflowId: string,
  firstRunId: string,
): { verified: boolean; verification: string } {
  if (!e.key) return { verified: false, verification: 'no key was recorded with this signature' };
  if (jwkThumbprint(e.key.publicKey) !== e.key.thumbprint)
    return { verified: false, verification: 'the recorded key does not match its thumbprint' };
  const signer = { name: e.actor ?? '', publicKey: e.key.publicKey };
  const passkey = passkeyFromToken(e.token!);
  if (passkey) {
    // The counter was checked when it was accepted; here only who signed what, for which run and page.
    const check = verifyPasskeyDecision(passkey, {
      workflowId,
      firstRunId,
      maxAgeMs: Number.MAX_SAFE_INTEGER,
      approvers: [],
      usedNonces: new Set(),
      passkeyHolders: e.key.passkey
        ? [
            {
              name: signer.name,
              passkeys: [{ ...e.key.passkey, publicKey: e.key.publicKey, thumbprint: e.key.thumbprint }],
            },
          ]
        : [],
    });
    return check.ok
      ? {
          verified: true,
          verification: `passkey signature valid for ${signer.name} (key ${e.key.thumbprint.slice(0, 12)}…)`,
        }
      : { verified: false, verification: check.reason };
  }
  const claims = JSON.parse(Buffer.from(e.token!.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    action?: CommandAction;
    digest?: string;
  };
  const check = e.event.startsWith('approval.')
    ? verifyDecision(e.token, {
        workflowId,
        firstRunId,
        maxAgeMs: Number.MAX_SAFE_INTEGER,
        approvers: [signer],
        usedNonces: new Set(),
      })
    : verifyCommand(e.token, {
        action: claims.action ?? 'start',
        workflowId,
        firstRunId,
        digest: claims.digest,
        maxAgeMs: Number.MAX_SAFE_INTEGER,
        signers: [signer],
        role: 'the recorded signer',
        usedNonces: new Set(),
      });
  return check.ok
    ? { verified: true, verification: `signature valid for ${signer.name} (key ${e.key.thumbprint.slice(0, 12)}…)` }
    : { verified: false, verification: check.reason };
}

export function renderAuditText(a: AuditExport): string {
  return [
    `${a.workflowId} (${a.status}, from the ${a.source})`,
    ...a.entries.map(
      (e) =>
        `${e.at}  ${e.event.padEnd(22)} ${e.step ?? ''}${e.actor ? ` by ${e.actor}` : ''}${e.detail ? ` — ${e.detail}` : ''}${planNote(e)}${e.verified === undefined ? '' : e.verified ? '  [signature verified]' : `  [NOT VERIFIED: ${e.verification}]`}`,
    ),
  ].join('\n');
}

export function renderAuditMarkdown(a: AuditExport): string {
  const cell = (v: string | undefined) => (v ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `# Audit trail of ${a.workflowId}`,
    '',
    `Status: ${a.status} (read from the ${a.source})`,
    '',
    '| time | event | step | who | detail | signature |',
    '|---|---|---|---|---|---|',
    ...a.entries.map(
      (e) =>
        `| ${e.at} | ${e.event} | ${cell(e.step)} | ${cell(e.actor)} | ${cell(e.detail)}${cell(planNote(e))} | ${e.token ? (e.verified === undefined ? 'signed' : e.verified ? 'verified' : `not verified: ${cell(e.verification)}`) : ''} |`,
    ),
  ].join('\n');
}
