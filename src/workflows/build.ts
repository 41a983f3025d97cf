// Records in the run's memo which build of the worker started the run and which runs it now.
// The build id comes from Temporal, not from this code: `workflowInfo().currentDeploymentVersion`
// is the deployment version of the worker that completed the current workflow task, taken from
// history on replay, so the upserts below come out the same whichever build replays them.
import { upsertMemo, workflowInfo } from '@temporalio/workflow';
import { BUILD_RUNNING_MEMO, BUILD_STARTED_MEMO } from '../temporal/build-memo.js';

/** Upserts the memo when the build running this task is not the one recorded (one event per build change). */
export function recordBuild(): void {
  const info = workflowInfo();
  const buildId = info.currentDeploymentVersion?.buildId;
  if (!buildId) return;
  const memo = info.memo ?? {};
  if (memo[BUILD_RUNNING_MEMO] === buildId) return;
  upsertMemo(
    memo[BUILD_STARTED_MEMO]
      ? { [BUILD_RUNNING_MEMO]: buildId }
      : { [BUILD_STARTED_MEMO]: buildId, [BUILD_RUNNING_MEMO]: buildId },
  );
}
