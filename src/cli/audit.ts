// The audit export: every step, decision (with its signed token), refusal, retry and abort,
// from the live run or — once it closed — from its history alone. `--verify` re-checks every
// signed decision against the approver keys of the spec the run used.
import type { Client } from '@temporalio/client';
import { verifyDecision } from '../approvals/decision.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { auditTrailQuery, specQuery, type AuditEntry, type OnboardingResult } from '../workflows/messages.js';
import { workflowIdFor } from './runs.js';

export interface AuditExport {
  workflowId: string;
  status: string;
  source: 'live run' | 'history';
  entries: (AuditEntry & { verified?: boolean; verification?: string })[];
}

export async function loadAudit(client: Client, id: string, verify: boolean): Promise<AuditExport> {
  const handle = client.workflow.getHandle(workflowIdFor(id));
  const description = await handle.describe();
  const status = description.status.name;
  let entries: AuditEntry[];
  let source: AuditExport['source'];
  let spec: DeploymentSpec | undefined;
  if (status === 'RUNNING') {
    entries = await handle.query(auditTrailQuery);
    spec = verify ? await handle.query(specQuery) : undefined;
    source = 'live run';
  } else if (status === 'COMPLETED') {
    const result = (await handle.result()) as OnboardingResult;
    entries = result.audit;
    source = 'history';
    spec = result.spec;
  } else {
    entries = await handle.query(auditTrailQuery);
    source = 'live run';
    spec = verify ? await handle.query(specQuery) : undefined;
  }
  const out: AuditExport = { workflowId: handle.workflowId, status, source, entries };
  if (verify) {
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId ?? '';
    out.entries = entries.map((e) => {
      if (!e.token) return e;
      if (!spec) return { ...e, verified: false, verification: 'no spec to verify against (start a worker so the run can be queried)' };
      const signedAt = JSON.parse(Buffer.from(e.token.split('.')[1] ?? '', 'base64url').toString('utf8')).iat * 1000;
      const check = verifyDecision(e.token, {
        workflowId: handle.workflowId,
        firstRunId,
        nowMs: signedAt,
        maxAgeMs: Number.MAX_SAFE_INTEGER,
        approvers: spec.approval.approvers,
        usedNonces: new Set(),
      });
      return { ...e, verified: check.ok, verification: check.ok ? `signature valid for ${check.claims.approver}` : check.reason };
    });
  }
  return out;
}

export function renderAuditText(a: AuditExport): string {
  return [
    `${a.workflowId} (${a.status}, from the ${a.source})`,
    ...a.entries.map((e) => `${e.at}  ${e.event.padEnd(22)} ${e.step ?? ''}${e.actor ? ` by ${e.actor}` : ''}${e.detail ? ` — ${e.detail}` : ''}${e.verified === undefined ? '' : e.verified ? '  [signature verified]' : `  [NOT VERIFIED: ${e.verification}]`}`),
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
    ...a.entries.map((e) => `| ${e.at} | ${e.event} | ${cell(e.step)} | ${cell(e.actor)} | ${cell(e.detail)} | ${e.token ? (e.verified === undefined ? 'signed' : e.verified ? 'verified' : `not verified: ${cell(e.verification)}`) : ''} |`),
  ].join('\n');
}
