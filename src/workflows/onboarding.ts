// onboardDeployment: the OpenG2P ⇄ MOSIP e-Signet runbook as one durable run per deployment.
// Reads top to bottom like the guide: prerequisites, Auth Partner, policy mapping, MISP,
// approval, credentials, client key, OIDC client, OpenG2P provider, verification.
// Deterministic code only: every side effect is an activity (src/activities/).
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities/index.js';
import type { ApprovalNotice } from '../activities/notifications.js';
import type { GeneratedClientKey, MappingDecision, MappingResult, OidcClientResult, PrerequisiteReport } from '../activities/types.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { durationMs } from '../spec/derived.js';
import { ApprovalBook, type ApprovalSnapshot } from './approval.js';
import { refuseRun, RunAuthority, type AuthoritySnapshot } from './authority.js';
import { specDigest } from '../approvals/command.js';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  rejectSignal,
  rejectUpdate,
  retryUpdate,
  specQuery,
  statusQuery,
  type OnboardingResult,
  type StartCommand,
} from './messages.js';
import { changedFixedSections, OnboardingRun, RunAborted, type RunSnapshot } from './run-state.js';

// Remote calls answer in seconds; transient failures (network, 5xx, 429) retry with backoff
// without limit — they never block the run. Non-retryable failures come back typed.
// Activities heartbeat every 2 s, so a worker that died is noticed in seconds, not minutes.
const remote = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The end-to-end login check walks several systems in one activity.
const verification = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// Admission reads the worker's own files; a refusal is final, anything else is retried.
const admission = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A reminder that cannot be delivered is not worth blocking an approval for.
const notices = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/** A run continued while waiting for approval, so history stays bounded however long the wait. */
export interface ContinuedRun {
  run: RunSnapshot;
  authority: AuthoritySnapshot;
  approval: ApprovalSnapshot;
  prerequisites: PrerequisiteReport;
  mapping: MappingResult;
  /** Counts notices across continued runs, for stable notice ids. */
  noticesSent: number;
}

/** Events after which a waiting run continues as new (Temporal suggests it at ~4k; a reminder adds ~8). */
const HISTORY_LIMIT = 2_000;

export async function onboardDeployment(spec: DeploymentSpec, start: StartCommand, continued?: ContinuedRun): Promise<OnboardingResult> {
  const info = workflowInfo();
  // Carried state is trusted only from this workflow's own continue-as-new: anyone with
  // Temporal access could otherwise start a run with approvals and finished steps made up.
  if (continued && info.continuedFromExecutionRunId === undefined) {
    throw refuseRun('a run can carry state only from a continue-as-new of itself; start it with `g2p-onboard start`');
  }
  const authority = new RunAuthority();
  const run = new OnboardingRun(spec, continued?.run.initiator ?? '(being verified)');
  const approvals = new ApprovalBook(run, () => ({
    workflowId: info.workflowId,
    firstRunId: workflowInfo().firstExecutionRunId,
    initiator: authority.initiator,
    approvers: authority.signers('approver'),
  }));
  installHandlers(run, approvals, authority);

  try {
    let prerequisites: PrerequisiteReport;
    let mapping: MappingResult;
    let noticesSent = 0;
    if (continued) {
      authority.restore(continued.authority);
      run.restore(continued.run);
      approvals.restore(continued.approval);
      ({ prerequisites, mapping, noticesSent } = continued);
      run.record({ event: 'run.continued', step: 'awaitApproval', detail: `history continued in run ${info.runId}` });
    } else {
      await admit(run, authority, start);
      prerequisites = await verifyPrerequisites(run);
      await createAuthPartner(run);
      mapping = await requestAuthPolicyMapping(run);
      await createMispPartner(run);
      await requestMispLicense(run);
    }
    const decision = await awaitApproval(run, approvals, mapping, { prerequisites, mapping, noticesSent, authority, start });
    if (decision !== 'approved') return await finish(run, decision);
    await collectCredentials(run);
    const clientKey = await generateClientKey(run);
    const client = await registerOidcClient(run, clientKey);
    await configureOpenG2P(run, prerequisites, client, clientKey);
    await verifyIntegration(run, prerequisites, client.clientId);
    return await finish(run, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finish(run, 'aborted', err.message);
    throw err;
  }
}

/**
 * admit asks the worker whether it will run this spec (its policy, its identity registry) and
 * proves who started the run; a refusal ends the run before any system is touched.
 */
async function admit(run: OnboardingRun, authority: RunAuthority, start: StartCommand): Promise<void> {
  const trust = await admission.admitRun(run.spec).catch((err: unknown) => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    throw cause instanceof ApplicationFailure && cause.nonRetryable ? refuseRun(cause.message) : err;
  });
  const initiator = authority.admit(trust, run.spec, start?.token, workflowInfo().workflowId, workflowInfo().runStartTime.getTime());
  run.initiator = initiator.name;
  run.record({
    event: 'run.started',
    actor: initiator.name,
    detail: `deployment ${run.deploymentId}`,
    token: start.token,
    key: { thumbprint: initiator.thumbprint, publicKey: initiator.publicKey },
  });
}

/** verifyPrerequisites checks every system answers and offers what the spec needs. */
async function verifyPrerequisites(run: OnboardingRun): Promise<PrerequisiteReport> {
  return run.runStep('verifyPrerequisites', () => remote.verifyPrerequisites(run.spec), (r) =>
    `${r.checks.length} checks passed; OpenG2P generation ${r.openg2pGeneration === 15 ? '1.x (Odoo 15)' : '1.2+ (Odoo 17)'}`,
  );
}

/** createAuthPartner registers the Auth Partner and its certificates on PMS (or finds them). */
async function createAuthPartner(run: OnboardingRun): Promise<void> {
  const partner = await run.runStep('createAuthPartner', () => remote.createAuthPartner(run.spec), (r) =>
    `${r.partnerId} ${r.created ? 'created' : 'found'}; signed certificate sha256:${r.signedCertificateFingerprint.slice(0, 16)}…`,
  );
  run.ids.authPartnerId = partner.partnerId;
}

/** requestAuthPolicyMapping asks PMS to map the Auth Partner to its policy (the request the Partner Admin approves). */
async function requestAuthPolicyMapping(run: OnboardingRun): Promise<MappingResult> {
  const mapping = await run.runStep('requestAuthPolicyMapping', () => remote.requestAuthPolicyMapping(run.spec), (r) =>
    `mapping ${r.mappingKey} (${r.status}) for policy ${run.spec.partners.auth.policy}`,
  );
  run.ids.policyMappingKey = mapping.mappingKey;
  return mapping;
}

/** createMispPartner registers the MISP Partner and its certificates. */
async function createMispPartner(run: OnboardingRun): Promise<void> {
  const partner = await run.runStep('createMispPartner', () => remote.createMispPartner(run.spec), (r) => `${r.partnerId} ${r.created ? 'created' : 'found'}`);
  run.ids.mispPartnerId = partner.partnerId;
}

/** requestMispLicense obtains the MISP license key (kept on the worker, reported by fingerprint). */
async function requestMispLicense(run: OnboardingRun): Promise<void> {
  const license = await run.runStep('requestMispLicense', () => remote.requestMispLicense(run.spec), (r) =>
    `license sha256:${r.licenseKeyFingerprint.slice(0, 16)}… ${r.created ? 'issued' : 'already issued'}`,
  );
  run.ids.mispLicenseFingerprint = license.licenseKeyFingerprint;
}

type ApprovalOutcome = 'approved' | 'rejected' | 'timed_out';

/**
 * awaitApproval waits for the Partner Admins: signed decisions sent to this run (N of M, any
 * rejection ends it), or a decision given in the PMS portal, noticed by a PMS watch. Reminds at
 * the spec's interval, escalates once, and ends as timed_out at the deadline. Continues as a
 * new run when history grows, carrying everything over.
 */
async function awaitApproval(
  run: OnboardingRun,
  approvals: ApprovalBook,
  mapping: MappingResult,
  carry: Omit<ContinuedRun, 'run' | 'approval' | 'authority'> & { authority: RunAuthority; start: StartCommand },
): Promise<ApprovalOutcome> {
  let noticesSent = carry.noticesSent;
  const notify = async (kind: ApprovalNotice['kind']) => {
    const s = approvals.state;
    const p = run.pendingApproval!;
    noticesSent += 1;
    const notice: ApprovalNotice = {
      noticeId: `${workflowInfo().workflowId}/${workflowInfo().firstExecutionRunId}/${kind}/${noticesSent}`,
      kind,
      workflowId: workflowInfo().workflowId,
      deploymentId: run.deploymentId,
      mappingKey: s.mappingKey!,
      waitingSince: s.openedAt!,
      deadline: p.deadline,
      awaiting: p.awaiting,
      approvalsSoFar: s.decisions.filter((d) => d.decision === 'approve' && d.via !== 'pms').length,
      required: p.required,
      howToApprove: `g2p-onboard approve ${run.deploymentId} --as <approver> --key <private key file>`,
    };
    const delivery = await notices.notifyApprovers(run.spec, notice).catch(() => 'failed' as const);
    run.record({ event: `approval.${kind}`, step: 'awaitApproval', detail: `${kind} ${delivery}: awaiting ${notice.awaiting.join(', ') || 'PMS'}` });
  };

  return run.runStep('awaitApproval', async () => {
    approvals.open(mapping.mappingKey);
    if (mapping.status !== 'InProgress' && !approvals.state.pmsStatus) approvals.recordPms(mapping.status === 'approved' ? 'approved' : 'rejected');
    run.phase = 'awaiting_approval';
    const a = () => run.spec.approval;
    const done = () => {
      const people = approvals.verdict();
      const pms = approvals.state.pmsStatus;
      if (people === 'rejected' || pms) return true;
      // Without the right to record it on PMS, an approval must also be seen there.
      return people === 'approved' && a().recordInPms;
    };
    // Watched from the start; its first check is one poll interval away (PMS was read when the
    // mapping was requested). Armed here rather than after a timer: a timer firing costs every
    // waiting run a workflow task, and a replay once it has left the worker's cache.
    const watch = done()
      ? undefined
      : watchPms(run, mapping.mappingKey, (status) => {
          if (!done()) approvals.recordPms(status);
        });
    let continuing = false;
    try {
      while (!done()) {
        const s = approvals.state;
        // What falls due next is decided from state alone, and once its timer fires, everything
        // due by then is handled: a replay takes the same branches whatever its clock reads
        // (comparing Date.now() with a deadline after a timer made replays of evicted runs
        // diverge by milliseconds).
        const escalateAt = a().escalateAfter && !s.escalated ? Date.parse(s.openedAt!) + durationMs(a().escalateAfter!) : Infinity;
        const wake = Math.min(s.nextReminderAt ?? Infinity, escalateAt, s.deadlineAt!);
        // Between timers only a decision, PMS's answer or a failed watch wakes this run: an idle
        // waiting run has nothing to replay and can be evicted from the worker's cache.
        if (await condition(() => done() || watch?.failure !== undefined, Math.max(wake - Date.now(), 1))) {
          if (watch?.failure !== undefined && !done()) throw watch.failure;
          break;
        }
        if (wake >= s.deadlineAt!) {
          await notify('timeout');
          approvals.close();
          return 'timed_out' as const;
        }
        if (escalateAt <= wake) {
          s.escalated = true;
          await notify('escalation');
        }
        // Due before the deadline (a reminder at the deadline itself is the timeout notice).
        if (s.nextReminderAt !== undefined && s.nextReminderAt <= wake) {
          s.nextReminderAt += durationMs(a().reminderInterval!);
          await notify('reminder');
        }
        if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
          await condition(allHandlersFinished);
          if (!done()) {
            // The watch is left as it is: closing this run ends its pending activity on the server.
            continuing = true;
            await continueAsNew<typeof onboardDeployment>(run.spec, carry.start, {
              run: run.snapshot(),
              authority: carry.authority.snapshot(),
              approval: approvals.state,
              prerequisites: carry.prerequisites,
              mapping,
              noticesSent,
            });
          }
        }
      }
    } finally {
      if (!continuing) await watch?.stop();
    }
    const people = approvals.verdict();
    const pms = approvals.state.pmsStatus;
    const outcome: ApprovalOutcome = people === 'rejected' || pms === 'rejected' ? 'rejected' : 'approved';
    // Mirror the people's decision onto PMS so the mapping there matches the record.
    if (!pms && a().recordInPms) await remote.decidePolicyMapping(run.spec, mapping.mappingKey, outcome === 'approved' ? 'Approved' : 'Rejected');
    approvals.close();
    run.phase = 'running';
    return outcome;
  }, (outcome) => `${outcome}${run.approvals.length ? ` by ${run.approvals.map((d) => d.approver).join(', ')}` : ''}`);
}

/** One PMS watch: an activity Temporal retries at the poll interval until PMS shows a decision. */
interface PmsWatch {
  /** A failure retrying cannot fix (PMS lost the mapping, credentials refused): blocks the step. */
  readonly failure?: unknown;
  /** Cancels the watch and waits until it has settled. */
  stop(): Promise<void>;
}

function watchPms(run: OnboardingRun, mappingKey: string, decided: (status: MappingDecision['status']) => void): PmsWatch {
  const pollInterval = run.spec.approval.pollInterval;
  const watcher = proxyActivities<OnboardingActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10 seconds',
    // MappingStillPending sets its own next delay (the poll interval); transient errors wait as long.
    retry: { initialInterval: pollInterval, backoffCoefficient: 1, maximumInterval: pollInterval },
  });
  const scope = new CancellationScope();
  let failure: unknown;
  const settled = scope
    .run(() => watcher.awaitPolicyMappingDecision(run.spec, mappingKey))
    .then(
      (r) => decided(r.status),
      (err: unknown) => {
        if (!isCancellation(err)) failure = err;
      },
    );
  return {
    get failure() {
      return failure;
    },
    stop: async () => {
      scope.cancel();
      await settled;
    },
  };
}

/** collectCredentials generates the API key and gathers license and certificates into the worker's credential store. */
async function collectCredentials(run: OnboardingRun): Promise<void> {
  const creds = await run.runStep('collectCredentials', () => remote.collectCredentials(run.spec), (r) =>
    `API key sha256:${r.apiKeyFingerprint.slice(0, 16)}…, IDA certificate sha256:${r.idaCertificateFingerprint.slice(0, 16)}…`,
  );
  run.ids.apiKeyFingerprint = creds.apiKeyFingerprint;
}

/** generateClientKey makes the OIDC client's RSA key pair; only its thumbprint is shown. */
async function generateClientKey(run: OnboardingRun): Promise<GeneratedClientKey> {
  const key = await run.runStep('generateClientKey', () => remote.generateClientKey(run.deploymentId), (r) => `RSA key ${r.thumbprint}`);
  run.ids.clientKeyThumbprint = key.thumbprint;
  return key;
}

/** registerOidcClient registers OpenG2P as an e-Signet relying party with the public key. */
async function registerOidcClient(run: OnboardingRun, key: GeneratedClientKey): Promise<OidcClientResult> {
  const client = await run.runStep('registerOidcClient', () => remote.registerOidcClient(run.spec, key.publicJwk), (r) =>
    `client ${r.clientId} ${r.status}${r.adopted ? ' (existing client adopted)' : ''}`,
  );
  run.ids.oidcClientId = client.clientId;
  return client;
}

/** configureOpenG2P writes the e-Signet OAuth provider into OpenG2P with every field of the admin guide. */
async function configureOpenG2P(run: OnboardingRun, prerequisites: PrerequisiteReport, client: OidcClientResult, key: GeneratedClientKey): Promise<void> {
  const provider = await run.runStep(
    'configureOpenG2P',
    () =>
      remote.configureOpenG2P(run.spec, {
        clientId: client.clientId,
        privateKeyPem: key.privateKeyPem,
        endpoints: prerequisites.endpoints,
        generation: prerequisites.openg2pGeneration,
      }),
    (r) => `provider #${r.providerId} "${r.providerName}" ${r.created ? 'created' : 'updated'}`,
  );
  run.ids.openg2pProviderId = provider.providerId;
}

/** verifyIntegration reads everything back and, where a test identity is given, logs in end to end. */
async function verifyIntegration(run: OnboardingRun, prerequisites: PrerequisiteReport, clientId: string): Promise<void> {
  await run.runStep(
    'verifyIntegration',
    () => verification.verifyIntegration(run.spec, { clientId, providerId: run.ids.openg2pProviderId!, endpoints: prerequisites.endpoints }),
    (r) => r.checks.map((c) => c.name).join(', '),
  );
}

async function finish(run: OnboardingRun, outcome: OnboardingResult['outcome'], detail?: string): Promise<OnboardingResult> {
  run.finish(outcome, detail);
  // Let in-flight update handlers answer before the run closes.
  await condition(allHandlersFinished);
  return {
    outcome,
    workflowId: workflowInfo().workflowId,
    deploymentId: run.deploymentId,
    ids: { ...run.ids },
    approvals: [...run.approvals],
    steps: run.status().steps,
    audit: [...run.audit],
    spec: run.spec,
    initiator: run.initiator,
    startedAt: run.startedAt,
    endedAt: run.endedAt!,
  };
}

function installHandlers(run: OnboardingRun, approvals: ApprovalBook, authority: RunAuthority): void {
  setHandler(statusQuery, () => run.status());
  setHandler(auditTrailQuery, () => [...run.audit]);
  setHandler(specQuery, () => run.spec);

  for (const update of [approveUpdate, rejectUpdate]) {
    const expected = update === approveUpdate ? 'approve' : 'reject';
    setHandler(
      update,
      (input) => {
        // The validator checked the decision's age when it was accepted; this runs on replay too.
        const checked = approvals.check(input, false);
        if (!checked.ok) throw new Error(checked.reason);
        return approvals.apply(checked.claims, checked.signer, input.token, 'update');
      },
      {
        // Refusals happen here, so a refused decision leaves no event in history.
        validator: (input) => {
          const checked = approvals.check(input);
          if (!checked.ok) throw new Error(checked.reason);
          if (checked.claims.decision !== expected) throw new Error(`this decision is signed as "${checked.claims.decision}", sent as "${expected}"`);
        },
      },
    );
  }
  // Signals cannot be refused before they reach history: refused ones are audited (up to a cap), not applied.
  for (const signal of [approveSignal, rejectSignal]) {
    const expected = signal === approveSignal ? 'approve' : 'reject';
    setHandler(signal, (input) => {
      const checked = approvals.check(input);
      if (!checked.ok) return approvals.refuse(checked.reason, input?.token, 'signal');
      if (checked.claims.decision !== expected) return approvals.refuse(`signed as ${checked.claims.decision}, sent as ${expected}`, input.token, 'signal');
      approvals.apply(checked.claims, checked.signer, input.token, 'signal');
    });
  }

  /** A retry or abort signed by an operator of the registry; `nowMs` only in validators. */
  const operatorCommand = (action: 'retry' | 'abort', token: unknown, spec: DeploymentSpec | undefined, nowMs?: number) => {
    const checked = authority.check(action, token, {
      workflowId: workflowInfo().workflowId,
      firstRunId: workflowInfo().firstExecutionRunId,
      digest: spec ? specDigest(spec) : undefined,
      nowMs,
      maxAge: run.spec.approval.maxDecisionAge,
    });
    if (!checked.ok) throw new Error(checked.reason);
    return checked;
  };
  const signedBy = (checked: ReturnType<typeof operatorCommand>, token: string) => ({
    token,
    key: { thumbprint: checked.signer.thumbprint ?? '', publicKey: checked.signer.publicKey },
  });

  setHandler(
    retryUpdate,
    (input) => {
      const checked = operatorCommand('retry', input.token, input.spec);
      authority.spend(checked.claims.nonce);
      run.requestRetry(checked.claims.actor, checked.claims.comment, input.spec, signedBy(checked, input.token));
      return run.status();
    },
    {
      validator: (input) => {
        if (!run.isBlocked()) throw new Error(`the run is ${run.phase}, not blocked: nothing to retry`);
        operatorCommand('retry', input?.token, input?.spec, Date.now());
        // The CLI validates a corrected spec in full (zod) before sending it; the workflow keeps
        // only these checks, because every cached run would otherwise carry its own copy of the
        // schemas (~1.8 MB each, measured by npm run bench). Activities validate it again.
        if (input.spec) {
          const sections = ['mosip', 'esignet', 'openg2p', 'partners', 'oidcClient', 'approval'] as const;
          const missing = sections.filter((k) => typeof (input.spec as unknown as Record<string, unknown>)[k] !== 'object');
          if (missing.length) throw new Error(`the corrected spec lacks ${missing.join(', ')}: send it with \`g2p-onboard retry --spec <file>\`, which validates it`);
          const fixed = changedFixedSections(run.spec, input.spec);
          if (fixed.length) {
            throw new Error(`a corrected spec may not change ${fixed.join(', ')}: they were fixed when the run started (start a new run for another deployment, partners or approvers)`);
          }
        }
      },
    },
  );
  setHandler(
    abortUpdate,
    (input) => {
      const checked = operatorCommand('abort', input.token, undefined);
      authority.spend(checked.claims.nonce);
      run.requestAbort(checked.claims.actor, checked.claims.comment ?? '', signedBy(checked, input.token));
      return run.status();
    },
    {
      validator: (input) => {
        if (!run.isBlocked()) throw new Error(`the run is ${run.phase}; only a blocked run can be aborted (cancel it in Temporal otherwise)`);
        const checked = operatorCommand('abort', input?.token, undefined, Date.now());
        if (!checked.claims.comment?.trim()) throw new Error('abort needs a --comment saying why');
      },
    },
  );
}
