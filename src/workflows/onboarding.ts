// onboardDeployment: the OpenG2P ⇄ MOSIP e-Signet runbook as one durable run per deployment.
// Reads top to bottom like the guide: prerequisites, Auth Partner, policy mapping, MISP,
// approval, credentials, client key, OIDC client, OpenG2P provider, verification.
// Deterministic code only: every side effect is an activity (src/activities/).
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { GeneratedClientKey, MappingResult, OidcClientResult, PrerequisiteReport } from '../activities/types.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { admission, remote, verification, watches } from './activity-options.js';
import { ApprovalBook } from './approval.js';
import { awaitApproval, type ContinuedRun } from './approval-wait.js';
import { refuseRun, RunAuthority } from './authority.js';
import { installHandlers } from './handlers.js';
import type { OnboardingResult, StartCommand } from './messages.js';
import { OnboardingRun, RunAborted } from './run-state.js';
import { reapplyPlan } from './reapply.js';
import { STEP_NAMES, type StepName } from './messages.js';

export type { ContinuedRun } from './approval-wait.js';

export async function onboardDeployment(
  spec: DeploymentSpec,
  start: StartCommand,
  continued?: ContinuedRun,
): Promise<OnboardingResult> {
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
    passkeyHolders: authority.passkeyHolders(),
  }));
  installHandlers(run, approvals, authority);
  const done: Finished = {};
  run.reapply = (before, blockedBy) => reapplyChangedSteps(run, before, blockedBy, done);

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
      prerequisites = done.prerequisites = await verifyPrerequisites(run);
      await createAuthPartner(run);
      mapping = await requestAuthPolicyMapping(run);
      await createMispPartner(run);
      await requestMispLicense(run);
    }
    const decision = await awaitApproval(run, approvals, mapping, {
      prerequisites,
      mapping,
      noticesSent,
      authority,
      start,
    });
    if (decision !== 'approved') return await finish(run, decision);
    done.prerequisites = prerequisites;
    await collectCredentials(run);
    const clientKey = (done.clientKey = await generateClientKey(run));
    const client = (done.client = await registerOidcClient(run, clientKey));
    await configureOpenG2P(run, prerequisites, client, clientKey);
    await verifyIntegration(run, prerequisites, client.clientId);
    if (patched('drift-watch')) await startDriftWatch(run);
    return await finish(run, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finish(run, 'aborted', err.message);
    throw err;
  }
}

/** What finished steps produced that later steps use; re-applied steps update these objects in place. */
interface Finished {
  prerequisites?: PrerequisiteReport;
  clientKey?: GeneratedClientKey;
  client?: OidcClientResult;
}

/**
 * A retry with a corrected spec re-runs every finished step whose inputs changed (reapply.ts),
 * in runbook order, before the blocked step resumes: a new openg2p.url re-registers the client's
 * redirect URIs (and the provider, when it was configured already). Steps that cannot change what
 * they made are named in the audit trail. A run blocked as RedirectUriStale re-registers the client
 * on any retry. Runs of builds before this change did neither (the patch).
 */
async function reapplyChangedSteps(
  run: OnboardingRun,
  before: DeploymentSpec,
  blockedBy: string,
  done: Finished,
): Promise<void> {
  // e-Signet's client lost (or gained) a redirect URI: registering it again sets them, spec changed or not.
  const stale = blockedBy === 'RedirectUriStale' && done.client !== undefined;
  if ((before === run.spec && !stale) || !patched('reapply-changed-steps')) return;
  if (stale && before === run.spec)
    await reapplyStep(run, 'registerOidcClient', ['redirect URIs changed on e-Signet'], done);
  let applied = before;
  // A further correction sent while a re-applied step was blocked is brought in on the next pass.
  while (applied !== run.spec) {
    const target = run.spec;
    const finished = run.steps
      .filter((s) => s.status === 'completed' && s.name !== run.currentStep)
      .map((s) => s.name)
      .filter((n): n is StepName => (STEP_NAMES as readonly string[]).includes(n));
    const plan = reapplyPlan(applied, target, finished);
    for (const { step, because } of plan.notReapplied)
      run.record({
        event: 'step.not-reapplied',
        step,
        detail: `${because.join(', ')} changed, but PMS keeps what this step registered: start a new run (or change it in PMS) to apply them`,
      });
    for (const { step, because } of plan.reapply) await reapplyStep(run, step, because, done);
    applied = target;
  }
}

async function reapplyStep(run: OnboardingRun, step: StepName, because: string[], done: Finished): Promise<void> {
  switch (step) {
    case 'verifyPrerequisites': {
      const report = await run.reapplyStep(step, because, () => remote.verifyPrerequisites(run.spec));
      if (done.prerequisites) Object.assign(done.prerequisites, report);
      return;
    }
    case 'collectCredentials': {
      const creds = await run.reapplyStep(
        step,
        because,
        () => remote.collectCredentials(run.spec),
        (r) => `API key sha256:${r.apiKeyFingerprint.slice(0, 16)}…`,
      );
      run.ids.apiKeyFingerprint = creds.apiKeyFingerprint;
      return;
    }
    case 'registerOidcClient': {
      const key = done.clientKey!;
      const client = await run.reapplyStep(
        step,
        because,
        () => remote.registerOidcClient(run.spec, key.publicJwk),
        (r) => `client ${r.clientId} ${r.status}, redirect URIs updated`,
      );
      Object.assign(done.client!, client);
      run.ids.oidcClientId = client.clientId;
      return;
    }
    case 'configureOpenG2P': {
      const key = done.clientKey!;
      const client = done.client!;
      const provider = await run.reapplyStep(
        step,
        because,
        () =>
          remote.configureOpenG2P(run.spec, {
            clientId: client.clientId,
            clientKeyThumbprint: key.thumbprint,
            endpoints: done.prerequisites!.endpoints,
            generation: done.prerequisites!.openg2pGeneration,
          }),
        (r) => `provider #${r.providerId} "${r.providerName}" updated`,
      );
      run.ids.openg2pProviderId = provider.providerId;
      return;
    }
    default:
      return;
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
  const initiator = authority.admit(
    trust,
    run.spec,
    start?.token,
    workflowInfo().workflowId,
    workflowInfo().runStartTime.getTime(),
  );
  run.initiator = initiator.name;
  run.record({
    event: 'run.started',
    actor: initiator.name,
    detail: `deployment ${run.deploymentId}`,
    token: start.token,
    // The initiator proved themselves with a signed token: their registry entry has a key.
    key: { thumbprint: initiator.thumbprint!, publicKey: initiator.publicKey! },
  });
}

/** verifyPrerequisites checks every system answers and offers what the spec needs. */
async function verifyPrerequisites(run: OnboardingRun): Promise<PrerequisiteReport> {
  return run.runStep(
    'verifyPrerequisites',
    () => remote.verifyPrerequisites(run.spec),
    (r) =>
      `${r.checks.length} checks passed${warnings(r)}; OpenG2P generation ${r.openg2pGeneration === 15 ? '1.x (Odoo 15)' : '1.2+ (Odoo 17)'}${r.esignetVersion ? `, e-Signet ${r.esignetVersion}` : ''}`,
  );
}

/** Checks that passed with a caveat, named in the step's summary so ops read them. */
function warnings(r: PrerequisiteReport): string {
  const warned = r.checks.filter((c) => c.warning);
  return warned.length ? ` (warning: ${warned.map((c) => `${c.name}: ${c.evidence}`).join('; ')})` : '';
}

/** createAuthPartner registers the Auth Partner and its certificates on PMS (or finds them). */
async function createAuthPartner(run: OnboardingRun): Promise<void> {
  const partner = await run.runStep(
    'createAuthPartner',
    () => remote.createAuthPartner(run.spec),
    (r) =>
      `${r.partnerId} ${r.created ? 'created' : 'found'}; signed certificate sha256:${r.signedCertificateFingerprint.slice(0, 16)}…`,
  );
  run.ids.authPartnerId = partner.partnerId;
}

/** requestAuthPolicyMapping asks PMS to map the Auth Partner to its policy (the request the Partner Admin approves). */
async function requestAuthPolicyMapping(run: OnboardingRun): Promise<MappingResult> {
  const mapping = await run.runStep(
    'requestAuthPolicyMapping',
    () => remote.requestAuthPolicyMapping(run.spec),
    (r) => `mapping ${r.mappingKey} (${r.status}) for policy ${run.spec.partners.auth.policy}`,
  );
  run.ids.policyMappingKey = mapping.mappingKey;
  return mapping;
}

/** createMispPartner registers the MISP Partner and its certificates. */
async function createMispPartner(run: OnboardingRun): Promise<void> {
  const partner = await run.runStep(
    'createMispPartner',
    () => remote.createMispPartner(run.spec),
    (r) => `${r.partnerId} ${r.created ? 'created' : 'found'}`,
  );
  run.ids.mispPartnerId = partner.partnerId;
}

/** requestMispLicense obtains the MISP license key (kept on the worker, reported by fingerprint). */
async function requestMispLicense(run: OnboardingRun): Promise<void> {
  const license = await run.runStep(
    'requestMispLicense',
    () => remote.requestMispLicense(run.spec),
    (r) => `license sha256:${r.licenseKeyFingerprint.slice(0, 16)}… ${r.created ? 'issued' : 'already issued'}`,
  );
  run.ids.mispLicenseFingerprint = license.licenseKeyFingerprint;
}

/** collectCredentials generates the API key and gathers license and certificates into the worker's credential store. */
async function collectCredentials(run: OnboardingRun): Promise<void> {
  const creds = await run.runStep(
    'collectCredentials',
    () => remote.collectCredentials(run.spec),
    (r) =>
      `API key sha256:${r.apiKeyFingerprint.slice(0, 16)}…, IDA certificate sha256:${r.idaCertificateFingerprint.slice(0, 16)}…`,
  );
  run.ids.apiKeyFingerprint = creds.apiKeyFingerprint;
}

/** generateClientKey makes the OIDC client's RSA key pair; only its thumbprint is shown. */
async function generateClientKey(run: OnboardingRun): Promise<GeneratedClientKey> {
  const key = await run.runStep(
    'generateClientKey',
    () => remote.generateClientKey(run.deploymentId),
    (r) => `RSA key ${r.thumbprint}`,
  );
  run.ids.clientKeyThumbprint = key.thumbprint;
  return key;
}

/** registerOidcClient registers OpenG2P as an e-Signet relying party with the public key. */
async function registerOidcClient(run: OnboardingRun, key: GeneratedClientKey): Promise<OidcClientResult> {
  const client = await run.runStep(
    'registerOidcClient',
    () => remote.registerOidcClient(run.spec, key.publicJwk),
    (r) => `client ${r.clientId} ${r.status}${r.adopted ? ' (existing client adopted)' : ''}`,
  );
  run.ids.oidcClientId = client.clientId;
  return client;
}

/** configureOpenG2P writes the e-Signet OAuth provider into OpenG2P with every field of the admin guide. */
async function configureOpenG2P(
  run: OnboardingRun,
  prerequisites: PrerequisiteReport,
  client: OidcClientResult,
  key: GeneratedClientKey,
): Promise<void> {
  const provider = await run.runStep(
    'configureOpenG2P',
    () =>
      remote.configureOpenG2P(run.spec, {
        clientId: client.clientId,
        clientKeyThumbprint: key.thumbprint,
        endpoints: prerequisites.endpoints,
        generation: prerequisites.openg2pGeneration,
      }),
    (r) => `provider #${r.providerId} "${r.providerName}" ${r.created ? 'created' : 'updated'}`,
  );
  run.ids.openg2pProviderId = provider.providerId;
}

/** verifyIntegration reads everything back and, where a test identity is given, logs in end to end. */
async function verifyIntegration(
  run: OnboardingRun,
  prerequisites: PrerequisiteReport,
  clientId: string,
): Promise<void> {
  // The login check's OTP budget is per run: a blocked check retried by ops starts from what it spent.
  const budgeted = patched('login-otp-budget');
  let otpsSpent = 0;
  await run.runStep(
    'verifyIntegration',
    async () => {
      try {
        return await verification.verifyIntegration(run.spec, {
          clientId,
          providerId: run.ids.openg2pProviderId!,
          endpoints: prerequisites.endpoints,
          ...(budgeted ? { otpsSpentBefore: otpsSpent } : {}),
        });
      } catch (err) {
        if (budgeted) otpsSpent = Math.max(otpsSpent, otpsSpentIn(err));
        throw err;
      }
    },
    (r) => r.checks.map((c) => c.name).join(', '),
  );
}

/** The OTP count a failed login check reports in its failure details (0 when it reports none). */
function otpsSpentIn(err: unknown): number {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as { otpsSpent?: unknown }) : undefined;
  return typeof details?.otpsSpent === 'number' ? details.otpsSpent : 0;
}

/**
 * startDriftWatch creates the deployment's drift watch (a Temporal Schedule running the checks
 * every monitoring.interval), or updates the one an earlier run made. The onboarding is done
 * either way: a schedule that could not be made is recorded, and `g2p-onboard drift-watch` says so.
 */
async function startDriftWatch(run: OnboardingRun): Promise<void> {
  try {
    const watch = await watches.ensureDriftWatch(run.spec);
    run.record({
      event: 'driftWatch.scheduled',
      detail: `schedule ${watch.scheduleId} ${watch.created ? 'created' : 'updated'}: checks every ${watch.interval}`,
    });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    run.record({
      event: 'driftWatch.failed',
      detail: `the drift watch was not scheduled: ${(cause as Error)?.message ?? String(cause)}`,
    });
  }
}

async function finish(
  run: OnboardingRun,
  outcome: OnboardingResult['outcome'],
  detail?: string,
): Promise<OnboardingResult> {
  run.finish(outcome, detail);
  // Let in-flight update handlers answer before the run closes.
  await condition(allHandlersFinished);
  return {
    outcome,
    workflowId: workflowInfo().workflowId,
    deploymentId: run.deploymentId,
    ids: { ...run.ids },
    approvals: [...(run.ledger?.decisions ?? [])],
    steps: run.status().steps,
    audit: [...run.audit],
    spec: run.spec,
    initiator: run.initiator,
    startedAt: run.startedAt,
    endedAt: run.endedAt!,
  };
}
