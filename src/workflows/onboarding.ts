// onboardDeployment: the OpenG2P ⇄ MOSIP e-Signet runbook as one durable run per deployment.
// Reads top to bottom like the guide: prerequisites, Auth Partner, policy mapping, MISP,
// approval, credentials, client key, OIDC client, OpenG2P provider, verification.
// Deterministic code only: every side effect is an activity (src/activities/).
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities/index.js';
import type { MappingResult, PrerequisiteReport, GeneratedClientKey, OidcClientResult } from '../activities/types.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { durationMs } from '../spec/derived.js';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  rejectSignal,
  rejectUpdate,
  retryUpdate,
  statusQuery,
  type ApprovalRecord,
  type DecisionInput,
  type OnboardingResult,
} from './messages.js';
import { OnboardingRun, RunAborted } from './run-state.js';

// Remote calls answer in seconds; transient failures (network, 5xx, 429) retry with backoff
// without limit — they never block the run. Non-retryable failures come back typed.
const remote = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The end-to-end login check walks several systems in one activity.
const verification = proxyActivities<OnboardingActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function onboardDeployment(spec: DeploymentSpec): Promise<OnboardingResult> {
  const run = new OnboardingRun(spec.deploymentId);
  const approvals = new ApprovalBook(run, spec);
  installHandlers(run, approvals);
  run.record({ event: 'run.started', detail: `deployment ${spec.deploymentId}` });

  try {
    const prerequisites = await verifyPrerequisites(run, spec);
    await createAuthPartner(run, spec);
    const mapping = await requestAuthPolicyMapping(run, spec);
    await createMispPartner(run, spec);
    await requestMispLicense(run, spec);
    const decision = await awaitApproval(run, approvals, spec, mapping);
    if (decision !== 'approved') {
      return await finish(run, decision);
    }
    await collectCredentials(run, spec);
    const clientKey = await generateClientKey(run, spec);
    const client = await registerOidcClient(run, spec, clientKey);
    await configureOpenG2P(run, spec, prerequisites, client, clientKey);
    await verifyIntegration(run, spec, prerequisites, client.clientId);
    return await finish(run, 'completed');
  } catch (err) {
    if (err instanceof RunAborted) return await finish(run, 'aborted', err.message);
    throw err;
  }
}

/** verifyPrerequisites checks every system answers and offers what the spec needs. */
async function verifyPrerequisites(run: OnboardingRun, spec: DeploymentSpec): Promise<PrerequisiteReport> {
  return run.runStep('verifyPrerequisites', () => remote.verifyPrerequisites(spec), (r) =>
    `${r.checks.length} checks passed; OpenG2P generation ${r.openg2pGeneration === 15 ? '1.x (Odoo 15)' : '1.2+ (Odoo 17)'}`,
  );
}

/** createAuthPartner registers the Auth Partner and its certificates on PMS (or finds them). */
async function createAuthPartner(run: OnboardingRun, spec: DeploymentSpec): Promise<void> {
  const partner = await run.runStep('createAuthPartner', () => remote.createAuthPartner(spec), (r) =>
    `${r.partnerId} ${r.created ? 'created' : 'found'}; signed certificate sha256:${r.signedCertificateFingerprint.slice(0, 16)}…`,
  );
  run.ids.authPartnerId = partner.partnerId;
}

/** requestAuthPolicyMapping asks PMS to map the Auth Partner to its policy (the request the Partner Admin approves). */
async function requestAuthPolicyMapping(run: OnboardingRun, spec: DeploymentSpec): Promise<MappingResult> {
  const mapping = await run.runStep('requestAuthPolicyMapping', () => remote.requestAuthPolicyMapping(spec), (r) =>
    `mapping ${r.mappingKey} (${r.status}) for policy ${spec.partners.auth.policy}`,
  );
  run.ids.policyMappingKey = mapping.mappingKey;
  return mapping;
}

/** createMispPartner registers the MISP Partner and its certificates. */
async function createMispPartner(run: OnboardingRun, spec: DeploymentSpec): Promise<void> {
  const partner = await run.runStep('createMispPartner', () => remote.createMispPartner(spec), (r) =>
    `${r.partnerId} ${r.created ? 'created' : 'found'}`,
  );
  run.ids.mispPartnerId = partner.partnerId;
}

/** requestMispLicense obtains the MISP license key (kept on the worker, reported by fingerprint). */
async function requestMispLicense(run: OnboardingRun, spec: DeploymentSpec): Promise<void> {
  const license = await run.runStep('requestMispLicense', () => remote.requestMispLicense(spec), (r) =>
    `license sha256:${r.licenseKeyFingerprint.slice(0, 16)}… ${r.created ? 'issued' : 'already issued'}`,
  );
  run.ids.mispLicenseFingerprint = license.licenseKeyFingerprint;
}

type ApprovalOutcome = 'approved' | 'rejected' | 'timed_out';

/**
 * awaitApproval waits for the Partner Admin: a decision sent to this run (update or signal),
 * or an approval given in the PMS portal, noticed by polling. Ends as timed_out at the deadline.
 */
async function awaitApproval(run: OnboardingRun, approvals: ApprovalBook, spec: DeploymentSpec, mapping: MappingResult): Promise<ApprovalOutcome> {
  return run.runStep('awaitApproval', async () => {
    const deadlineAt = Date.now() + durationMs(spec.approval.deadline);
    const pollMs = durationMs(spec.approval.pollInterval);
    approvals.open(mapping.mappingKey, deadlineAt);
    run.phase = 'awaiting_approval';
    try {
      let status = mapping.status;
      while (status === 'InProgress' && !approvals.decided()) {
        const remaining = deadlineAt - Date.now();
        if (remaining <= 0) return 'timed_out';
        if (await condition(() => approvals.decided(), Math.min(pollMs, remaining))) break;
        status = (await remote.checkPolicyMapping(spec, mapping.mappingKey)).status;
      }
      if (!approvals.decided()) approvals.recordPortalDecision(status === 'approved' ? 'approve' : 'reject');
      const decision = approvals.outcome()!;
      // Mirror a decision made here onto PMS, so the mapping's status there matches the record.
      if (decision.via !== 'pms') {
        await remote.decidePolicyMapping(spec, mapping.mappingKey, decision.decision === 'approve' ? 'Approved' : 'Rejected');
      }
      return decision.decision === 'approve' ? 'approved' : 'rejected';
    } finally {
      approvals.close();
      run.phase = 'running';
    }
  }, (outcome) => {
    const last = approvals.outcome();
    return last ? `${outcome} by ${last.approver}${last.via === 'pms' ? ' (in PMS)' : ''}` : outcome;
  });
}

/** collectCredentials generates the API key and gathers license and certificates into the worker's credential store. */
async function collectCredentials(run: OnboardingRun, spec: DeploymentSpec): Promise<void> {
  const creds = await run.runStep('collectCredentials', () => remote.collectCredentials(spec), (r) =>
    `API key sha256:${r.apiKeyFingerprint.slice(0, 16)}…, IDA certificate sha256:${r.idaCertificateFingerprint.slice(0, 16)}…`,
  );
  run.ids.apiKeyFingerprint = creds.apiKeyFingerprint;
}

/** generateClientKey makes the OIDC client's RSA key pair; only its thumbprint is shown. */
async function generateClientKey(run: OnboardingRun, spec: DeploymentSpec): Promise<GeneratedClientKey> {
  const key = await run.runStep('generateClientKey', () => remote.generateClientKey(spec.deploymentId), (r) => `RSA key ${r.thumbprint}`);
  run.ids.clientKeyThumbprint = key.thumbprint;
  return key;
}

/** registerOidcClient registers OpenG2P as an e-Signet relying party with the public key. */
async function registerOidcClient(run: OnboardingRun, spec: DeploymentSpec, key: GeneratedClientKey): Promise<OidcClientResult> {
  const client = await run.runStep('registerOidcClient', () => remote.registerOidcClient(spec, key.publicJwk), (r) =>
    `client ${r.clientId} ${r.status}${r.adopted ? ' (existing client adopted)' : ''}`,
  );
  run.ids.oidcClientId = client.clientId;
  return client;
}

/** configureOpenG2P writes the e-Signet OAuth provider into OpenG2P with every field of the admin guide. */
async function configureOpenG2P(
  run: OnboardingRun,
  spec: DeploymentSpec,
  prerequisites: PrerequisiteReport,
  client: OidcClientResult,
  key: GeneratedClientKey,
): Promise<void> {
  const provider = await run.runStep(
    'configureOpenG2P',
    () =>
      remote.configureOpenG2P(spec, {
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
async function verifyIntegration(run: OnboardingRun, spec: DeploymentSpec, prerequisites: PrerequisiteReport, clientId: string): Promise<void> {
  await run.runStep(
    'verifyIntegration',
    () => verification.verifyIntegration(spec, { clientId, providerId: run.ids.openg2pProviderId!, endpoints: prerequisites.endpoints }),
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
    startedAt: run.startedAt,
    endedAt: run.endedAt!,
  };
}

/** Who may decide, and what has been decided, while an approval is pending. */
class ApprovalBook {
  private pending = false;
  private decision?: ApprovalRecord;

  constructor(
    private readonly run: OnboardingRun,
    private readonly spec: DeploymentSpec,
  ) {}

  open(mappingKey: string, deadlineAt: number): void {
    this.pending = true;
    this.run.pendingApproval = {
      since: new Date(Date.now()).toISOString(),
      deadline: new Date(deadlineAt).toISOString(),
      mappingKey,
      approvers: this.spec.approval.approvers.map((a) => a.name),
      required: 1,
      decisions: [],
    };
  }

  close(): void {
    this.pending = false;
    this.run.pendingApproval = undefined;
  }

  decided(): boolean {
    return this.decision !== undefined;
  }

  outcome(): ApprovalRecord | undefined {
    return this.decision;
  }

  /** Why a decision is refused, or undefined when it may be applied. */
  refusal(input: DecisionInput): string | undefined {
    if (!this.pending) return 'no approval is pending for this run';
    if (this.decision) return `a decision was already recorded (${this.decision.decision} by ${this.decision.approver})`;
    const names = this.spec.approval.approvers.map((a) => a.name);
    if (!names.includes(input.approver)) {
      return `${input.approver} is not an approver of this deployment (spec approval.approvers: ${names.join(', ')})`;
    }
    return undefined;
  }

  apply(decision: 'approve' | 'reject', input: DecisionInput, via: ApprovalRecord['via']): ApprovalRecord {
    const record: ApprovalRecord = { approver: input.approver, decision, comment: input.comment, at: new Date(Date.now()).toISOString(), via };
    this.decision = record;
    this.run.approvals.push(record);
    this.run.pendingApproval?.decisions.push(record);
    this.run.record({ event: `approval.${decision}`, step: 'awaitApproval', actor: input.approver, detail: input.comment });
    this.run.recordApprover(input.approver);
    return record;
  }

  recordPortalDecision(decision: 'approve' | 'reject'): void {
    this.apply(decision, { approver: 'pms-portal', comment: `${decision === 'approve' ? 'approved' : 'rejected'} in PMS` }, 'pms');
  }
}

function installHandlers(run: OnboardingRun, approvals: ApprovalBook): void {
  setHandler(statusQuery, () => run.status());
  setHandler(auditTrailQuery, () => [...run.audit]);

  for (const [update, decision] of [[approveUpdate, 'approve'], [rejectUpdate, 'reject']] as const) {
    setHandler(update, (input) => approvals.apply(decision, input, 'update'), {
      validator: (input) => {
        const refusal = approvals.refusal(input);
        if (refusal) throw new Error(refusal);
        if (decision === 'reject' && !input.comment?.trim()) throw new Error('a rejection needs a --comment saying why');
      },
    });
  }
  // Signals cannot be refused before they reach history: refused ones are audited, not applied.
  for (const [signal, decision] of [[approveSignal, 'approve'], [rejectSignal, 'reject']] as const) {
    setHandler(signal, (input) => {
      const refusal = approvals.refusal(input);
      if (refusal) run.record({ event: 'approval.refused', step: 'awaitApproval', actor: input.approver, detail: refusal });
      else approvals.apply(decision, input, 'signal');
    });
  }

  setHandler(retryUpdate, (input) => { run.requestRetry(input.operator, input.comment); return run.status(); }, {
    validator: (_input) => {
      if (!run.isBlocked()) throw new Error(`the run is ${run.phase}, not blocked: nothing to retry`);
    },
  });
  setHandler(abortUpdate, (input) => { run.requestAbort(input.operator, input.comment); return run.status(); }, {
    validator: (input) => {
      if (!run.isBlocked()) throw new Error(`the run is ${run.phase}; only a blocked run can be aborted (cancel it in Temporal otherwise)`);
      if (!input.comment?.trim()) throw new Error('abort needs a --comment saying why');
    },
  });
}
