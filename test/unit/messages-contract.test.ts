// The contract the CLI and the workflow share: the message definitions built by hand in
// messages.ts (so the CLI need not load @temporalio/workflow) are exactly what the SDK's
// define* functions make, and the workflow function has the signature clients type handles by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import * as messages from '../../src/workflows/messages.js';
import type { onboardDeployment } from '../../src/workflows/onboarding.js';

// A compile-time pin: if the workflow's arguments or result change, this stops compiling.
const clientsSee: (workflow: typeof onboardDeployment) => messages.OnboardingWorkflow = (workflow) => workflow;
void clientsSee;

test('every query, update and signal the CLI sends is defined exactly as the SDK defines it', () => {
  const made: Record<'query' | 'update' | 'signal', (name: string) => object> = {
    query: (name) => defineQuery(name),
    update: (name) => defineUpdate(name),
    signal: (name) => defineSignal(name),
  };
  type Definition = { type: 'query' | 'update' | 'signal'; name: string };
  const definitions = (Object.values(messages) as unknown[]).filter(
    (v): v is Definition => typeof v === 'object' && v !== null && 'type' in v && 'name' in v,
  );
  assert.deepEqual(definitions.map((d) => d.name).sort(), [
    'abort',
    'approve',
    'approveSignal',
    'auditTrail',
    'reject',
    'rejectSignal',
    'retry',
    'spec',
    'status',
  ]);
  for (const d of definitions) assert.deepEqual({ ...d }, { ...made[d.type](d.name) }, `${d.type} ${d.name}`);
});
