// Worker sizing from the environment, validated like every other boundary. The defaults keep
// one worker small while it holds a country's deployments waiting for approval: a waiting run
// has nothing to do between decisions (PMS is polled by activity retries on the server), so it
// can leave the cache and is replayed, from a short history, when something happens to it.
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from './project-root.js';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * How every launcher starts the worker: the shell script sets the allocator and V8 memory
 * settings before Node starts (neither can be changed from inside the process).
 */
export const WORKER_LAUNCHER = join(projectRoot, 'bin', 'g2p-onboard-worker');

/** Runs kept in memory (~0.3 MB each, measured by `npm run bench`); a waiting run leaves it and is replayed when touched. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

const count = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `${name} must be a whole number` })
    .transform(Number)
    .refine((n) => n >= min, { message: `${name} must be at least ${min}` })
    .optional();

const tuningEnv = z.object({
  G2P_ONBOARD_MAX_CACHED_WORKFLOWS: count('G2P_ONBOARD_MAX_CACHED_WORKFLOWS', 0),
  G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES: count('G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES', 1),
  G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS: count('G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS', 2),
  G2P_ONBOARD_WORKFLOW_THREADS: count('G2P_ONBOARD_WORKFLOW_THREADS', 1),
});

export type WorkerTuning = Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'workflowThreadPoolSize'>;

/** Worker options from G2P_ONBOARD_MAX_* variables; throws naming the variable and the fix. */
export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const parsed = tuningEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new Error(`invalid worker setting: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    maxCachedWorkflows: e.G2P_ONBOARD_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    ...(e.G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES !== undefined ? { maxConcurrentActivityTaskExecutions: e.G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES } : {}),
    ...(e.G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined ? { maxConcurrentWorkflowTaskExecutions: e.G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS } : {}),
    // Threads that run workflow code (replays of evicted runs spread over cores); each holds its own cache share.
    ...(e.G2P_ONBOARD_WORKFLOW_THREADS !== undefined ? { workflowThreadPoolSize: e.G2P_ONBOARD_WORKFLOW_THREADS } : {}),
  };
}
