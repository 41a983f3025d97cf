// Human-readable views of a run for the terminal. Scripts use `--output json` instead.
import { MAPPING_STILL_PENDING, type OnboardingResult, type StatusView, type StepView } from '../workflows/messages.js';
import type { PmsWatchView } from './runs.js';
import type { RunBuilds } from '../temporal/build-memo.js';

const MARK: Record<StepView['status'], string> = {
  pending: '·',
  running: '▶',
  completed: '✔',
  blocked: '✖',
  skipped: '–',
};

export function durationText(startedAt?: string, endedAt?: string): string {
  if (!startedAt) return '';
  const ms = (endedAt ? Date.parse(endedAt) : Date.now()) - Date.parse(startedAt);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function renderStep(step: StepView): string {
  const time =
    step.status === 'completed' || step.status === 'running' || step.status === 'blocked'
      ? durationText(step.startedAt, step.endedAt)
      : '';
  const retries =
    (step.retries ? ` (resumed ${step.retries}×)` : '') + (step.reapplied ? ` (re-applied ${step.reapplied}×)` : '');
  return `  ${MARK[step.status]} ${step.name.padEnd(26)} ${time.padStart(9)}  ${step.summary ?? ''}${retries}`.trimEnd();
}

/** Where the PMS watch of a waiting run stands (its polls leave no history, Temporal knows them). */
function renderPmsWatch(watch: PmsWatchView | undefined): string {
  if (!watch?.lastCheckAt)
    return watch?.checking
      ? 'first check running now'
      : 'not checked yet (the first check is one poll interval after the wait began)';
  const outcome =
    watch.lastOutcome === MAPPING_STILL_PENDING
      ? 'still in progress'
      : `failed (${watch.lastOutcome ?? 'unknown'}), retrying`;
  const next = watch.checking ? '; checking again now' : watch.nextCheckAt ? `; next check ${watch.nextCheckAt}` : '';
  return `checked ${watch.checks} time(s), last ${watch.lastCheckAt}: ${outcome}${next}`;
}

/** Which builds ran the run: where a release meets a run half-way, both show. */
function renderBuilds(builds: RunBuilds): string {
  if (!builds.started) return 'build: not recorded (started before builds were recorded)';
  return builds.running && builds.running !== builds.started
    ? `build: started on ${builds.started}, now runs on ${builds.running}`
    : `build: ${builds.started}`;
}

export function renderStatus(status: StatusView, pmsWatch?: PmsWatchView, builds?: RunBuilds): string {
  const lines = [
    `${status.workflowId}  deployment ${status.deploymentId}`,
    `phase: ${status.phase}${status.currentStep ? `   current step: ${status.currentStep}` : ''}   started ${status.startedAt}${status.endedAt ? `, ended ${status.endedAt}` : ''}`,
    ...(builds ? [renderBuilds(builds)] : []),
    '',
    ...status.steps.map(renderStep),
  ];
  if (status.pendingApproval) {
    const p = status.pendingApproval;
    lines.push(
      '',
      `waiting for approval of policy mapping ${p.mappingKey} since ${p.since} (deadline ${p.deadline})`,
      `  approvals: ${p.decisions.filter((d) => d.decision === 'approve' && d.via !== 'pms').length} of ${p.required} required; awaiting ${p.awaiting.join(', ') || 'nobody'} (started by ${status.initiator}, who may not approve)`,
      `  PMS:       ${renderPmsWatch(pmsWatch)}`,
      `  approve:   g2p-onboard approve ${status.deploymentId} --as <approver> --key <private key file> [--comment "…"]`,
      `  reject:    g2p-onboard reject ${status.deploymentId} --as <approver> --key <private key file> --comment "why"`,
    );
  }
  if (status.lastError && status.phase !== 'blocked') {
    // The run ended while blocked (aborted): say why it had stopped, with nothing left to do.
    const e = status.lastError;
    lines.push(
      '',
      `ended ${status.phase} while blocked at ${e.step}: ${e.type}${e.code ? ` ${e.code}` : ''}`,
      `  ${e.message}`,
    );
  } else if (status.lastError) {
    const e = status.lastError;
    lines.push(
      '',
      `BLOCKED at ${e.step}: ${e.type}${e.code ? ` ${e.code}` : ''}`,
      `  ${e.message}`,
      `  what to do: ${e.hint}`,
      `  then:       g2p-onboard retry ${status.deploymentId}   or   g2p-onboard abort ${status.deploymentId} --comment "why"`,
    );
  }
  return lines.join('\n');
}

/** The summary once a run ended; the steps were printed as they finished, so they are not repeated. */
export function renderResult(result: OnboardingResult, uiLink: string): string {
  const ids = result.ids;
  const rows: [string, string | number | undefined][] = [
    ['workflow id', result.workflowId],
    ['outcome', result.outcome],
    ['Auth Partner', ids.authPartnerId],
    ['MISP Partner', ids.mispPartnerId],
    ['policy mapping', ids.policyMappingKey],
    ['OIDC client id', ids.oidcClientId],
    ['client key (JWK thumbprint)', ids.clientKeyThumbprint],
    ['OpenG2P provider id', ids.openg2pProviderId],
    ['API key (sha256)', ids.apiKeyFingerprint?.slice(0, 16)],
    ['MISP license (sha256)', ids.mispLicenseFingerprint?.slice(0, 16)],
    [
      'approved by',
      result.approvals
        .map((a) => `${a.approver} (${a.decision}, ${a.at}${a.comment ? `: ${a.comment}` : ''})`)
        .join('; ') || undefined,
    ],
    ['total time', durationText(result.startedAt, result.endedAt)],
    ['Temporal UI', uiLink],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
    .join('\n');
}
