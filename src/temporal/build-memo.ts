// Where a run keeps which builds of the worker ran it: two memo fields, shown by the Temporal
// UI (Memo, decoded through the codec server) and `g2p-onboard status`. Workflow code and the
// CLI both import this module, so it imports nothing.

/** The build whose worker ran the run's first workflow task (carried over on continue-as-new). */
export const BUILD_STARTED_MEMO = 'buildStarted';
/** The build whose worker ran the run's latest workflow task that recorded anything. */
export const BUILD_RUNNING_MEMO = 'buildRunning';

/** The worker deployment every build belongs to (Temporal's deployment version is `<name>.<build id>`). */
export const WORKER_DEPLOYMENT_NAME = 'g2p-onboard';

export interface RunBuilds {
  started?: string;
  running?: string;
}

/** The builds recorded in a run's (decoded) memo. */
export function runBuildsFromMemo(memo: Record<string, unknown> | undefined): RunBuilds {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { started: text(memo?.[BUILD_STARTED_MEMO]), running: text(memo?.[BUILD_RUNNING_MEMO]) };
}
