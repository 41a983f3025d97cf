// The PMS line of `g2p-onboard status` for a waiting run, in each state its watch can be in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStatus } from '../../src/cli/render.js';
import type { PmsWatchView } from '../../src/cli/runs.js';
import type { StatusView } from '../../src/workflows/messages.js';

const waiting: StatusView = {
  workflowId: 'onboard-dep-1',
  firstRunId: 'run-1',
  deploymentId: 'dep-1',
  initiator: 'staff',
  phase: 'awaiting_approval',
  currentStep: 'awaitApproval',
  steps: [],
  pendingApproval: {
    since: '2026-11-27T10:00:00.000Z',
    deadline: '2026-12-11T10:00:00.000Z',
    mappingKey: '774155',
    approvers: ['alice'],
    awaiting: ['alice'],
    required: 1,
    decisions: [],
  },
  ids: {},
  startedAt: '2026-11-27T09:59:00.000Z',
};
const pmsLine = (watch?: PmsWatchView) =>
  renderStatus(waiting, watch)
    .split('\n')
    .find((l) => l.startsWith('  PMS:'));

test('the PMS line says whether a check was made, is running, or is next', () => {
  assert.equal(
    pmsLine({ checks: 0, nextCheckAt: '2026-11-27T10:01:00.000Z' }),
    '  PMS:       not checked yet (the first check is one poll interval after the wait began)',
  );
  assert.equal(pmsLine({ checks: 0, checking: true }), '  PMS:       first check running now');
  const last = { checks: 3, lastCheckAt: '2026-11-27T10:03:00.100Z', lastOutcome: 'MappingStillPending' };
  assert.equal(
    pmsLine({ ...last, nextCheckAt: '2026-11-27T10:04:00.100Z' }),
    '  PMS:       checked 3 time(s), last 2026-11-27T10:03:00.100Z: still in progress; next check 2026-11-27T10:04:00.100Z',
  );
  assert.equal(
    pmsLine({ ...last, checking: true }),
    '  PMS:       checked 3 time(s), last 2026-11-27T10:03:00.100Z: still in progress; checking again now',
  );
  assert.equal(
    pmsLine({ ...last, lastOutcome: 'TransientRemoteError', nextCheckAt: '2026-11-27T10:04:00.100Z' }),
    '  PMS:       checked 3 time(s), last 2026-11-27T10:03:00.100Z: failed (TransientRemoteError), retrying; next check 2026-11-27T10:04:00.100Z',
  );
});

test("the watch's running state is read by the number Temporal's API gives it", async () => {
  const { PENDING_ACTIVITY_STATE_STARTED } = await import('../../src/cli/runs.js');
  const proto = (await import('@temporalio/proto')).default;
  assert.equal(
    PENDING_ACTIVITY_STATE_STARTED,
    proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
  );
});

test('status names the build that started a run and, once a release took it over, the build that runs it now', () => {
  const buildLine = (builds: Parameters<typeof renderStatus>[2]) =>
    renderStatus(waiting, undefined, builds)
      .split('\n')
      .find((l) => l.startsWith('build:'));
  assert.equal(
    buildLine({ started: '0.1.0+aaaaaaaaaaaa', running: '0.1.0+aaaaaaaaaaaa' }),
    'build: 0.1.0+aaaaaaaaaaaa',
  );
  assert.equal(
    buildLine({ started: '0.1.0+aaaaaaaaaaaa', running: '0.2.0+bbbbbbbbbbbb' }),
    'build: started on 0.1.0+aaaaaaaaaaaa, now runs on 0.2.0+bbbbbbbbbbbb',
  );
  assert.equal(buildLine({}), 'build: not recorded (started before builds were recorded)');
});

test('an aborted run shows why it had stopped and advises no retry or abort', () => {
  const lastError = {
    step: 'verifyPrerequisites' as const,
    type: 'PrerequisiteFailed',
    message: 'no active policy',
    at: '2026-11-27T10:00:00.000Z',
    hint: 'fix it',
  };
  const aborted = renderStatus({
    ...waiting,
    phase: 'aborted',
    pendingApproval: undefined,
    currentStep: undefined,
    lastError,
  });
  assert.match(aborted, /ended aborted while blocked at verifyPrerequisites: PrerequisiteFailed/);
  assert.doesNotMatch(aborted, /g2p-onboard retry|g2p-onboard abort|BLOCKED/);
  const blocked = renderStatus({ ...waiting, phase: 'blocked', pendingApproval: undefined, lastError });
  assert.match(blocked, /BLOCKED at verifyPrerequisites[\s\S]*g2p-onboard retry dep-1/);
});
