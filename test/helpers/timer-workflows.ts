// Workflows used only to prove the Temporal test servers behave (time skipping, timers).
import { sleep } from '@temporalio/workflow';

/** Sleeps one day of workflow time; returns the workflow-time milliseconds that passed. */
export async function sleepOneDay(): Promise<number> {
  const before = Date.now();
  await sleep('1 day');
  return Date.now() - before;
}
