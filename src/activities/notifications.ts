// Reminders, escalations and the timeout notice for pending approvals, and the drift watch's
// findings, POSTed as JSON to the spec's webhook (chat, mail gateway, ticketing). Each notice
// carries an id, so a receiver can drop the duplicate a retried delivery may cause.
import { HttpClient, type HttpOptions } from '../clients/http.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { monitoringOf } from '../spec/derived.js';
import { guardedFor, type ActivityDeps } from './context.js';

export interface ApprovalNotice {
  /** Stable per notice (workflow id + kind + sequence): receivers de-duplicate on it. */
  noticeId: string;
  kind: 'reminder' | 'escalation' | 'timeout';
  workflowId: string;
  deploymentId: string;
  mappingKey: string;
  waitingSince: string;
  deadline: string;
  awaiting: string[];
  approvalsSoFar: number;
  required: number;
  howToApprove: string;
  /** The approvals page, where the worker names one: approvers decide there with their passkey. */
  approvalsPage?: string;
}

/** A drift watch's finding, posted when a deployment drifted, nears an expiry or cannot be read. */
export interface DriftNotice {
  /** The check workflow's id: one notice per check, so a retried delivery is dropped by the receiver. */
  noticeId: string;
  kind: 'drift';
  deploymentId: string;
  health: 'drift' | 'expiring' | 'unreachable';
  checkedAt: string;
  /** The checks that are not in sync: resource, check, status, one line (ids and fingerprints only). */
  findings: { resource: string; check: string; status: string; detail: string }[];
  howToSee: string;
}

/** POSTs one notice as JSON to `url`, within the deployment's egress rule (guardedFor's HTTP options). */
async function postNotice(
  http: HttpOptions,
  url: string,
  body: { noticeId: string; kind: string },
  what: string,
): Promise<'delivered'> {
  const target = new URL(url);
  const client = new HttpClient('webhook', target.origin, { ...http, timeoutMs: 15_000 });
  const res = await client.send(target.pathname + target.search, {
    method: 'POST',
    json: body,
    headers: { 'idempotency-key': body.noticeId },
  });
  client.failOnTransientStatus(res, 'POST webhook');
  if (res.status >= 400)
    throw client.rejection(`HTTP_${res.status}`, `the ${what} webhook refused the ${body.kind} notice`, res.status);
  return 'delivered';
}

export function notificationActivities(deps: ActivityDeps) {
  return {
    /** Delivers one notice; `skipped` when the spec names no webhook (the audit trail still records it). */
    async notifyApprovers(spec: DeploymentSpec, notice: ApprovalNotice): Promise<'delivered' | 'skipped'> {
      // guardedFor: the webhook is one more host the deployment's egress rule must allow.
      return guardedFor(spec, deps, async (_secrets, deps) => {
        const url = spec.approval.webhookUrl;
        if (!url) return 'skipped';
        // The page's link comes from the worker's setting, so a notice never sends approvers where a spec says.
        const sent: ApprovalNotice = deps.approvalsPage
          ? {
              ...notice,
              approvalsPage: deps.approvalsPage,
              howToApprove: `open ${deps.approvalsPage} and decide with your passkey, or: ${notice.howToApprove}`,
            }
          : notice;
        return postNotice(deps.http, url, sent, 'approval');
      });
    },

    /** The drift watch's notice, to monitoring.webhookUrl (else approval.webhookUrl); `skipped` without either. */
    async notifyDrift(spec: DeploymentSpec, notice: DriftNotice): Promise<'delivered' | 'skipped'> {
      return guardedFor(spec, deps, async (_secrets, deps) => {
        const url = monitoringOf(spec).webhookUrl;
        if (!url) return 'skipped';
        return postNotice(deps.http, url, notice, 'monitoring');
      });
    },
  };
}
