// The runs `npm run capture-histories` makes, one history file each (a run that continued as
// new gives one file per run). Each scenario is data: the sandbox it runs against, how its spec
// differs from the fixture spec, and what people do to it; every message goes through
// actions.ts, so a change of the workflow's arguments touches that file, not this one.
// Add a scenario whenever a workflow change opens a path no history covers yet.
import type { WorkflowHandle } from '@temporalio/client';
import type { Sandbox, SandboxOptions } from '../../sandbox/index.js';
import type { DeploymentSpec, DeploymentSpecInput } from '../../src/spec/schema.js';
import type { StatusView } from '../../src/workflows/messages.js';
import { withLoginCheck } from '../../test/helpers/fixtures.js';
import { approver } from '../../test/helpers/approvers.js';
import { actions } from './actions.js';

/** A sandbox and the spec values that go with it; scenarios of one generation share it. */
export interface SandboxGeneration {
  name: string;
  options: SandboxOptions;
  spec: (s: DeploymentSpecInput) => void;
}

export const GENERATIONS = {
  /** OpenG2P 1.2+ on Odoo 17, e-Signet 1.7 (current client-management API). */
  current: {
    name: 'OpenG2P 1.2+ (Odoo 17), e-Signet 1.7.0',
    options: { esignetVersion: '1.7.0', odooVersion: 17 },
    // No released OpenG2P logs in through e-Signet 1.7: the table's verdict is taken as a warning here.
    spec: (s) => {
      s.esignet.version = '1.7.0';
      s.openg2p.loginCompatibility = 'warn';
    },
  },
  /** OpenG2P 1.x on Odoo 15, e-Signet 1.4.1 (the older client-management API). */
  legacy: {
    name: 'OpenG2P 1.x (Odoo 15), e-Signet 1.4.1',
    options: { esignetVersion: '1.4.1', odooVersion: 15 },
    spec: (s) => void (s.esignet.version = '1.4.1'),
  },
} satisfies Record<string, SandboxGeneration>;

export interface ScenarioContext {
  handle: WorkflowHandle;
  sandbox: Sandbox;
  /** This scenario's spec again, with a change (a corrected spec for `retry`). */
  spec(change?: (s: DeploymentSpecInput) => void): DeploymentSpec;
  /** Until the `status` query shows what `until` asks for. */
  waitFor(until: (s: StatusView) => boolean): Promise<StatusView>;
  /** Until the audit trail holds `count` entries of `event`. */
  waitForAudit(event: string, count?: number): Promise<void>;
  /** The fixture webhook that receives reminders, escalations and timeout notices. */
  webhookUrl: string;
}

export interface Scenario {
  /** The history file's name, and the deployment id (≤ 30 characters: partner ids add `-auth`). */
  name: string;
  /** One line for the corpus manifest and README. */
  what: string;
  generation: keyof typeof GENERATIONS;
  spec?: (s: DeploymentSpecInput, ctx: { sandbox: Sandbox; webhookUrl: string }) => void;
  /** Takes the run to the point its history is captured: its end, or (open scenarios) a wait. */
  drive(ctx: ScenarioContext): Promise<void>;
  /** `open`: captured while the run still waits (the histories a new build replays most). */
  state: 'closed' | 'open';
}

const UNKNOWN_POLICY = 'no-such-policy';
const awaiting = (s: StatusView) => s.phase === 'awaiting_approval';
const blocked = (s: StatusView) => s.phase === 'blocked';
const reminders = (every: string, webhookUrl: string) => (s: DeploymentSpecInput) => {
  s.approval.reminderInterval = every;
  s.approval.webhookUrl = webhookUrl;
};

/** Approved by one listed approver once the run waits. */
async function approveWhenWaiting(ctx: ScenarioContext): Promise<void> {
  await ctx.waitFor(awaiting);
  await actions.approve(ctx.handle, 'alice', 'checked');
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'completed-esignet-odoo17',
    what: 'e-Signet client management, OpenG2P 1.2+: approved by update, verified by reading back (no released OpenG2P logs in through e-Signet 1.7)',
    generation: 'current',
    spec: () => undefined,
    drive: approveWhenWaiting,
    state: 'closed',
  },
  {
    name: 'completed-esignet-odoo15',
    what: 'e-Signet 1.4 client management, OpenG2P 1.x: approved by update, verified with a real login',
    generation: 'legacy',
    spec: (s, { sandbox }) => withLoginCheck(sandbox)(s),
    drive: approveWhenWaiting,
    state: 'closed',
  },
  {
    name: 'completed-pms-odoo17',
    what: 'OIDC client registered through PMS (oidcClient.registration pms), OpenG2P 1.2+',
    generation: 'current',
    spec: (s) => void (s.oidcClient.registration = 'pms'),
    drive: approveWhenWaiting,
    state: 'closed',
  },
  {
    name: 'completed-pms-odoo15',
    what: 'OIDC client registered through PMS, OpenG2P 1.x',
    generation: 'legacy',
    spec: (s) => void (s.oidcClient.registration = 'pms'),
    drive: approveWhenWaiting,
    state: 'closed',
  },
  {
    name: 'approved-in-pms-portal',
    what: 'the Partner Admin approves in the PMS portal; the PMS watch notices it',
    generation: 'current',
    drive: async (ctx) => {
      const status = await ctx.waitFor(awaiting);
      ctx.sandbox.mosip.approveMapping(status.ids.policyMappingKey!);
    },
    state: 'closed',
  },
  {
    name: 'approved-by-signal',
    what: 'a forged approval signal is audited as refused, then a valid signal approves',
    generation: 'current',
    drive: async (ctx) => {
      await ctx.waitFor(awaiting);
      await actions.forgedApprovalSignal(ctx.handle, 'bob');
      await ctx.waitForAudit('approval.refused');
      await actions.approveBySignal(ctx.handle, 'alice', 'by signal');
    },
    state: 'closed',
  },
  {
    name: 'rejected',
    what: 'an approver rejects: the run ends rejected, nothing is registered',
    generation: 'current',
    drive: async (ctx) => {
      await ctx.waitFor(awaiting);
      await actions.reject(ctx.handle, 'bob', 'wrong organisation');
    },
    state: 'closed',
  },
  {
    name: 'refused-at-admission',
    what: "the spec names an approver the worker's registry does not know: the worker refuses the run before any step",
    generation: 'current',
    spec: (s) => void (s.approval.approvers = [{ name: 'mallory' }]),
    drive: async (ctx) => {
      await ctx.handle.result().then(
        () => {
          throw new Error('the run was not refused');
        },
        () => undefined,
      );
    },
    state: 'closed',
  },
  {
    name: 'aborted',
    what: 'blocked on an unknown policy, then aborted by ops',
    generation: 'current',
    spec: (s) => void (s.partners.auth.policy = UNKNOWN_POLICY),
    drive: async (ctx) => {
      await ctx.waitFor(blocked);
      await actions.abort(ctx.handle, 'deployment cancelled');
    },
    state: 'closed',
  },
  {
    name: 'timed-out',
    what: 'nobody decides: reminders, one escalation, then the deadline ends it timed_out',
    generation: 'current',
    spec: (s, { webhookUrl }) => {
      reminders('2s', webhookUrl)(s);
      s.approval.escalateAfter = '3s';
      s.approval.deadline = '7s';
    },
    drive: async (ctx) => void (await ctx.waitFor((s) => s.phase === 'timed_out')),
    state: 'closed',
  },
  {
    name: 'blocked-then-retried',
    what: 'blocked on an unknown policy, retried with a corrected spec, approved, completed',
    generation: 'current',
    spec: (s) => void (s.partners.auth.policy = UNKNOWN_POLICY),
    drive: async (ctx) => {
      await ctx.waitFor(blocked);
      await actions.retry(
        ctx.handle,
        ctx.spec((s) => void (s.partners.auth.policy = 'openg2p-auth-policy')),
        'use the published policy',
      );
      await approveWhenWaiting(ctx);
    },
    state: 'closed',
  },
  {
    name: 'waiting-blocked',
    what: 'open: parked as blocked, waiting for ops to retry or abort',
    generation: 'current',
    spec: (s) => void (s.partners.auth.policy = UNKNOWN_POLICY),
    drive: async (ctx) => void (await ctx.waitFor(blocked)),
    state: 'open',
  },
  {
    name: 'waiting-reminded',
    what: 'open: waiting for approval after reminders and the escalation, PMS watch running',
    generation: 'current',
    spec: (s, { webhookUrl }) => {
      reminders('1s', webhookUrl)(s);
      s.approval.escalateAfter = '2s';
    },
    drive: async (ctx) => {
      await ctx.waitForAudit('approval.escalation');
      await ctx.waitForAudit('approval.reminder', 3);
    },
    state: 'open',
  },
  {
    name: 'waiting-one-of-two',
    what: 'open: two of three approvals required, one given',
    generation: 'current',
    spec: (s) => {
      s.approval.approvers = [approver('alice'), approver('bob'), approver('carol')];
      s.approval.required = 2;
    },
    drive: async (ctx) => {
      await ctx.waitFor(awaiting);
      await actions.approve(ctx.handle, 'alice', 'first of two');
    },
    state: 'open',
  },
  {
    name: 'continued-as-new',
    what: 'reminders every second fill history until the run continues as new; then approved (one file per run)',
    generation: 'current',
    spec: (s, { webhookUrl }) => reminders('1s', webhookUrl)(s),
    drive: async (ctx) => {
      await ctx.waitForAudit('run.continued');
      await approveWhenWaiting(ctx);
    },
    state: 'closed',
  },
];
