// The baseline the orchestration is measured against: the same activity functions the worker
// registers (same clients, same deps from the same environment), called one after another
// in the workflow's order with no Temporal in between. Runs as its own process, like the
// worker, and takes one onboarding per IPC message.
import { createActivities } from '../../src/activities/index.js';
import { runRunbookStraight } from '../../test/helpers/straight-runbook.js';
import { workerDeps } from '../../src/worker.js';
import { workerConfigFrom } from '../../src/config/worker.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';

type Activities = ReturnType<typeof createActivities>;

export type StraightRequest = { type: 'run'; seq: number; spec: DeploymentSpec };
export type StraightReply = { type: 'done'; seq: number; ms: number } | { type: 'failed'; seq: number; error: string };

/**
 * The onboarding workflow's remote calls in its order, with the approval given at once by the
 * person's update: the workflow then mirrors it to PMS (decidePolicyMapping), so this does too.
 */
export async function onboardStraight(activities: Activities, spec: DeploymentSpec): Promise<void> {
  await runRunbookStraight(activities, spec, (mapping) =>
    activities.decidePolicyMapping(spec, mapping.mappingKey, 'Approved'),
  );
}

if (process.send) {
  const activities = createActivities(workerDeps(workerConfigFrom()));
  process.on('message', (msg: StraightRequest) => {
    const started = performance.now();
    onboardStraight(activities, msg.spec).then(
      () => process.send!({ type: 'done', seq: msg.seq, ms: performance.now() - started } satisfies StraightReply),
      (err: Error) => process.send!({ type: 'failed', seq: msg.seq, error: err.message } satisfies StraightReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}
