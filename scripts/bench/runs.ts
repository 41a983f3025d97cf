// Starting, approving and following bench runs the way users do: the CLI's start path, the
// approver's signed update, the `status` query.
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { startOnboarding } from '../../src/cli/runs.js';
import { statusQuery, ONBOARDING_WORKFLOW_TYPE, type OnboardingResult } from '../../src/workflows/messages.js';
import { OnboardingStep } from '../../src/workflows/search-attributes.js';
import type { DeploymentSpec, DeploymentSpecInput } from '../../src/spec/schema.js';
import { approveAs } from '../../test/helpers/approve.js';
import type { RemoteSandbox } from './stack.js';
import type { CertificateIssuer } from './certificates.js';
import { pool, sleep } from './stats.js';
import { signer } from '../../test/helpers/identities.js';

export const BENCH_INITIATOR = 'bench-staff';
export const BENCH_APPROVER = 'alice';

/** Deployment ids for one scenario: short (partner ids add `-auth`, ≤ 36 chars) and unique per server. */
export function deploymentIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
}

/**
 * One spec per id, each with its own partner login and OpenG2P provider name. All share one
 * OpenG2P and one test resident, so the verification login names the user it creates after
 * the pairwise subject (unique per relying party), not the resident's e-mail. With an issuer,
 * partners bring their certificates (as in production); without, the product generates them.
 */
export async function benchSpecs(
  sandbox: RemoteSandbox,
  ids: string[],
  change?: (s: DeploymentSpecInput) => void,
  certificates?: CertificateIssuer,
): Promise<DeploymentSpec[]> {
  return pool(ids, 50, async (id) => {
    const certs = certificates && {
      auth: await certificates.filesFor(id, `${id}-auth`, `Org ${id}`),
      misp: await certificates.filesFor(id, `${id}-misp`, `Org ${id}`),
    };
    return sandbox.spec(id, (s) => {
      s.openg2p.provider = { ...s.openg2p.provider, name: `e-Signet ${id}`, loginAttribute: 'user_id' };
      if (certs) {
        if (s.partners.auth.organisation !== `Org ${id}` || s.partners.misp.organisation !== `Org ${id}`) {
          throw new Error('the fixture spec changed its organisations: update scripts/bench/runs.ts');
        }
        s.partners.auth.certificate = certs.auth;
        s.partners.misp.certificate = certs.misp;
      }
      change?.(s);
    });
  });
}

export function startRun(client: Client, spec: DeploymentSpec): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return startOnboarding(client, spec, signer(BENCH_INITIATOR));
}

/** Polls `status` until the run waits for approval (fails fast if it ends or blocks instead). */
export async function untilAwaitingApproval(
  handle: WorkflowHandle,
  pollMs: number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.phase === 'awaiting_approval') return;
    if (status.phase !== 'running')
      throw new Error(
        `${handle.workflowId} is ${status.phase}${status.lastError ? `: ${status.lastError.message}` : ''}`,
      );
    if (Date.now() > deadline)
      throw new Error(`${handle.workflowId} did not reach the approval within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

export async function approve(handle: WorkflowHandle): Promise<void> {
  await approveAs(handle, BENCH_APPROVER, 'approved by the benchmark');
}

export async function completed(handle: WorkflowHandle): Promise<OnboardingResult> {
  const result = await handle.result();
  if (result.outcome !== 'completed') throw new Error(`${handle.workflowId} ended ${result.outcome}`);
  return result;
}

/** Running onboarding runs whose current step is `step` (Temporal visibility). */
export function countAtStep(client: Client, step: string): Promise<number> {
  const query = `WorkflowType = '${ONBOARDING_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${OnboardingStep.name} = '${step}'`;
  return client.workflow.count(query).then((r) => r.count);
}

interface ContinuedAsNewInfo {
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
}

/** Events in a run's history, following continue-as-new from its first run to the latest. */
export async function historyEvents(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<{ events: number; runs: number; longestRun: number }> {
  let runId: string | undefined = firstRunId;
  let events = 0;
  let runs = 0;
  let longestRun = 0;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId, { followRuns: false }).fetchHistory();
    const list: ContinuedAsNewInfo[] = history.events ?? [];
    events += list.length;
    runs += 1;
    longestRun = Math.max(longestRun, list.length);
    runId = list.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { events, runs, longestRun };
}
