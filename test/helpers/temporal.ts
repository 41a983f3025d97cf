// Temporal servers for tests, always from the binaries the project provisions (never a
// download at test time: our machines reach package registries only).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import proto from '@temporalio/proto';
import type { PayloadCodec } from '@temporalio/common';
import { temporalCliPath, temporalTestServerPath } from '../../scripts/temporal/binaries.js';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';
import { dataConverterFor } from '../../src/security/data-converter.js';

const { temporal } = proto;

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
/** `env.client` skips time while it waits on a result; give it the run's codec (with the workers' failure converter). */
export async function createTimeSkippingEnv(codec?: PayloadCodec): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: codec ? { dataConverter: dataConverterFor(codec) } : undefined,
  });
  // The test server takes no flags for them, but accepts the operator API call.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      ONBOARDING_SEARCH_ATTRIBUTES.map((key) => [
        key.name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}
