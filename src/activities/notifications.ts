// Reminders, escalations and the timeout notice for pending approvals, POSTed as JSON to the
// spec's webhook (chat, mail gateway, ticketing). Each notice carries an id, so a receiver can
// drop the duplicate a retried delivery may cause.
import { HttpClient } from '../clients/http.js';
import type { DeploymentSpec } from '../spec/schema.js';
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

export function notificationActivities(deps: ActivityDeps) {
  return {
    /** Delivers one notice; `skipped` when the spec names no webhook (the audit trail still records it). */
    async notifyApprovers(spec: DeploymentSpec, notice: ApprovalNotice): Promise<'delivered' | 'skipped'> {
      // guardedFor: the webhook is one more host the deployment's egress rule must allow.
      return guardedFor(spec, deps, async (_secrets, deps) => {
        const url = spec.approval.webhookUrl;
        if (!url) return 'skipped';
        const target = new URL(url);
        const http = new HttpClient('webhook', target.origin, { ...deps.http, timeoutMs: 15_000 });
        // The page's link comes from the worker's setting, so a notice never sends approvers where a spec says.
        const sent: ApprovalNotice = deps.approvalsPage
          ? {
              ...notice,
              approvalsPage: deps.approvalsPage,
              howToApprove: `open ${deps.approvalsPage} and decide with your passkey, or: ${notice.howToApprove}`,
            }
          : notice;
        const res = await http.send(target.pathname + target.search, {
          method: 'POST',
          json: sent,
          headers: { 'idempotency-key': notice.noticeId },
        });
        http.failOnTransientStatus(res, 'POST webhook');
        if (res.status >= 400)
          throw http.rejection(
            `HTTP_${res.status}`,
            `the approval webhook refused the ${notice.kind} notice`,
            res.status,
          );
        return 'delivered';
      });
    },
  };
}
