// Temporal servers for tests, always from the binaries the project provisions (never a
// download at test time: our machines reach package registries only).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath, temporalTestServerPath } from '../../src/temporal/binaries.js';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes.js';

/** A real dev server (in-memory, headless, free port) with our search attributes registered. */
export function createTestEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...ONBOARDING_SEARCH_ATTRIBUTES],
    },
  });
}

/** The time-skipping test server, for workflows that wait days (approval deadlines, reminders). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
}
