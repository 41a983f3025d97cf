// What an approver needs to decide on a run, read the way the CLI reads it: the runs awaiting
// them (`list --pending-approval --approver`), each run's status, spec and audit trail (its
// queries), and the results of the steps that produced the evidence (prerequisite report,
// partner certificates), decoded from the run's history through the page's codec.
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { PartnerResult, PrerequisiteCheck, PrerequisiteReport } from '../activities/types.js';
import { listRuns } from '../cli/runs.js';
import type { DeploymentSpec } from '../spec/schema.js';
import {
  auditTrailQuery,
  specQuery,
  statusQuery,
  type ApprovalRecord,
  type StatusView,
} from '../workflows/messages.js';

export interface CertificateEvidence {
  partnerId: string;
  fingerprint: string;
  notBefore?: string;
  notAfter?: string;
}

export interface RunEvidence {
  workflowId: string;
  firstRunId: string;
  deploymentId: string;
  organisation: string;
  authPartner: { id: string; organisation: string; email: string };
  mispPartner: { id: string; organisation: string; email: string };
  policyGroup: string;
  policy: string;
  mappingKey?: string;
  certificates: CertificateEvidence[];
  prerequisites: PrerequisiteCheck[];
  startedBy: string;
  startedAt: string;
  remindersSent: number;
  escalated: boolean;
  decisions: ApprovalRecord[];
  approvals: number;
  required: number;
  approvers: string[];
  awaiting: string[];
  deadline?: string;
}

/** Runs waiting for `approver`'s decision: the same listing as `g2p-onboard list --pending-approval --approver`. */
export async function runsAwaiting(client: Client, approver: string): Promise<StatusView[]> {
  const rows = await listRuns(client, { pendingApproval: true, approver });
  return rows.flatMap((r) => (r.pending?.pendingApproval?.awaiting.includes(approver) ? [r.pending] : []));
}

/** Everything the page shows of one run. */
export async function runEvidence(client: Client, workflowId: string, known?: StatusView): Promise<RunEvidence> {
  const handle = client.workflow.getHandle(workflowId);
  const [status, spec, audit] = await Promise.all([
    known ?? handle.query(statusQuery),
    handle.query(specQuery) as Promise<DeploymentSpec>,
    handle.query(auditTrailQuery),
  ]);
  const results = await stepResults(client, workflowId, status.firstRunId);
  const partners = results.partners;
  const pending = status.pendingApproval;
  const decisions = pending?.decisions ?? [];
  const started = audit.find((e) => e.event === 'run.started');
  return {
    workflowId,
    firstRunId: status.firstRunId,
    deploymentId: status.deploymentId,
    organisation: spec.partners.auth.organisation,
    authPartner: {
      id: spec.partners.auth.id,
      organisation: spec.partners.auth.organisation,
      email: spec.partners.auth.email,
    },
    mispPartner: {
      id: spec.partners.misp.id,
      organisation: spec.partners.misp.organisation,
      email: spec.partners.misp.email,
    },
    policyGroup: spec.partners.auth.policyGroup,
    policy: spec.partners.auth.policy,
    ...(pending?.mappingKey ? { mappingKey: pending.mappingKey } : {}),
    certificates: partners.map((p) => ({
      partnerId: p.partnerId,
      fingerprint: p.signedCertificateFingerprint,
      ...(p.signedCertificateValidity ?? {}),
    })),
    prerequisites: results.prerequisites?.checks ?? [],
    startedBy: status.initiator,
    startedAt: started?.at ?? status.startedAt,
    remindersSent: audit.filter((e) => e.event === 'approval.reminder').length,
    escalated: audit.some((e) => e.event === 'approval.escalation'),
    decisions,
    approvals: decisions.filter((d) => d.decision === 'approve' && d.via !== 'pms').length,
    required: pending?.required ?? spec.approval.required,
    approvers: pending?.approvers ?? spec.approval.approvers.map((a) => a.name),
    awaiting: pending?.awaiting ?? [],
    ...(pending?.deadline ? { deadline: pending.deadline } : {}),
  };
}

/**
 * The prerequisite report and the partners' certificates, as the activities returned them: in
 * the history of the run's first execution (a continued run starts after them).
 */
async function stepResults(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<{ prerequisites?: PrerequisiteReport; partners: PartnerResult[] }> {
  const history = await client.workflow.getHandle(workflowId, firstRunId, { followRuns: false }).fetchHistory();
  const scheduled = new Map<string, string>();
  const out: { prerequisites?: PrerequisiteReport; partners: PartnerResult[] } = { partners: [] };
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name) scheduled.set(String(event.eventId), s.activityType.name);
    const done = event.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const type = scheduled.get(String(done.scheduledEventId));
    if (type !== 'verifyPrerequisites' && type !== 'createAuthPartner' && type !== 'createMispPartner') continue;
    const result = await decodeFromPayloadsAtIndex<unknown>(
      client.options.loadedDataConverter,
      0,
      done.result?.payloads,
    );
    if (type === 'verifyPrerequisites') out.prerequisites = result as PrerequisiteReport;
    else out.partners.push(result as PartnerResult);
  }
  return out;
}
