// The approval wait on its own, with every activity mocked: the time-skipping server runs days of
// waiting in seconds, so the reminders, the one escalation and the timeout a Partner Admin's
// silence causes are checked without a sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal.js';
import { testCodec, offlineSpecInput } from '../helpers/fixtures.js';
import { signer } from '../helpers/identities.js';
import { approverPublicJwk } from '../helpers/approvers.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { validateSpec } from '../../src/spec/load.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { findWorkflowBundle } from '../../src/workflow-bundle.js';
import { jwkThumbprint } from '../../src/approvals/keys.js';
import {
  MAPPING_STILL_PENDING,
  TASK_QUEUE,
  type RunTrust,
  type TrustedIdentity,
} from '../../src/workflows/messages.js';
import type { OnboardingActivities } from '../../src/activities/index.js';
import type { ApprovalNotice } from '../../src/activities/notifications.js';

const person = (name: string, roles: TrustedIdentity['roles']): TrustedIdentity => {
  const publicKey = approverPublicJwk(name);
  return { name, roles, publicKey, thumbprint: jwkThumbprint(publicKey) };
};

/** Every activity the run reaches before and during the wait, answering as a healthy MOSIP would. */
function mockedActivities(notices: ApprovalNotice[]): Partial<OnboardingActivities> {
  const partner = async (spec: { partners: { auth: { id: string } } }) => ({
    partnerId: spec.partners.auth.id,
    created: true,
    signedCertificateFingerprint: 'f'.repeat(64),
  });
  return {
    admitRun: async (): Promise<RunTrust> => ({
      identities: [person('staff-1', ['initiator']), person('alice', ['approver'])],
    }),
    verifyPrerequisites: async () => ({
      checks: [],
      endpoints: { issuer: 'i', authorizationEndpoint: 'a', tokenEndpoint: 't', userinfoEndpoint: 'u', jwksUri: 'j' },
      openg2pGeneration: 17,
    }),
    createAuthPartner: partner,
    createMispPartner: partner,
    requestAuthPolicyMapping: async () => ({ mappingKey: 'mapping-1', status: 'InProgress', created: true }),
    requestMispLicense: async () => ({ mispPartnerId: 'misp', licenseKeyFingerprint: 'e'.repeat(64), created: true }),
    // PMS never shows a decision: each check is a benign "not yet", retried at the poll interval.
    awaitPolicyMappingDecision: async (spec) => {
      throw ApplicationFailure.create({
        type: MAPPING_STILL_PENDING,
        message: 'still pending',
        nextRetryDelay: spec.approval.pollInterval,
        category: ApplicationFailureCategory.BENIGN,
      });
    },
    notifyApprovers: async (_spec, notice) => {
      notices.push(notice);
      return 'delivered';
    },
  };
}

describe('the approval wait, activities mocked, on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const notices: ApprovalNotice[] = [];

  before(async () => {
    const codec = testCodec();
    env = await createTimeSkippingEnv(codec);
    const bundle = findWorkflowBundle();
    assert.ok('codePath' in bundle, 'npm run build prepared the workflow bundle');
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: { codePath: bundle.codePath },
      activities: mockedActivities(notices),
      dataConverter: dataConverterFor(codec),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  test('nobody decides: a reminder each day, one escalation, and the run ends timed_out at the deadline', async () => {
    const input = offlineSpecInput('silent');
    input.approval = {
      approvers: [{ name: 'alice' }],
      pollInterval: '1h',
      reminderInterval: '1d',
      escalateAfter: '2d',
      deadline: '4d',
    };
    const handle = await startOnboarding(
      env.client,
      validateSpec(input),
      signer('staff-1'),
      new Date(await env.currentTimeMs()),
    );
    const result = await handle.result();

    assert.equal(result.outcome, 'timed_out');
    // Day 1 a reminder; day 2 the escalation and that day's reminder; day 3 a reminder; day 4 the timeout notice.
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['reminder', 'escalation', 'reminder', 'reminder', 'timeout'],
    );
    assert.equal(
      result.steps.find((s) => s.name === 'collectCredentials')?.status,
      'skipped',
      'nothing is registered without an approval',
    );
    assert.deepEqual(new Set(notices.map((n) => n.noticeId)).size, notices.length, 'every notice has its own id');

    // The Temporal UI reads the wait as the runbook: each timer and the PMS watch carry a summary (decoded by the codec).
    const events = (await handle.fetchHistory()).events ?? [];
    const summaries = await Promise.all(
      events
        .filter(
          (e) =>
            e.timerStartedEventAttributes ||
            e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitPolicyMappingDecision',
        )
        .map(async (e) =>
          e.userMetadata?.summary
            ? String(
                await env.client.options.loadedDataConverter.payloadConverter.fromPayload(
                  (await env.client.options.loadedDataConverter.payloadCodecs[0]!.decode([e.userMetadata.summary]))[0]!,
                ),
              )
            : '',
        ),
    );
    assert.ok(summaries.length >= 5, `timers and the watch (${summaries.length})`);
    assert.ok(
      summaries.every((text) =>
        /Waiting for the Partner Admin's decision on mapping mapping-1 until|PMS watch: checks policy mapping mapping-1/.test(
          text,
        ),
      ),
      summaries.join('\n'),
    );
  });
});
