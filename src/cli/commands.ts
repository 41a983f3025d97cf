// The table of g2p-onboard's commands: verbs per role — staff start and watch runs, approvers
// decide, ops retry, abort and inspect. Each is one entry of COMMANDS, its options drawn from
// shared sets (who acts, which run, output format) so they mean the same on every verb; parsing,
// usage and help are derived from the table (command-table.ts), and app.ts runs it. Payloads are
// encoded and decoded by the codec server with the user's own token: the CLI holds no key ring.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { connectClient, temporalUiUrl, loadConnectionConfig } from '../temporal/connection.js';
import { remoteCodecFor } from '../security/remote-codec.js';
import {
  RUN_REFUSED,
  statusQuery,
  type OnboardingResult,
  type OnboardingWorkflow,
  type StatusView,
} from '../workflows/messages.js';
import type { CliConfig } from '../config/cli.js';
import { renderResult, renderStatus, renderStep } from './render.js';
import {
  abortRun,
  describeRun,
  listRuns,
  retryRun,
  RunBlocked,
  startOnboarding,
  watchRun,
  workflowIdFor,
} from './runs.js';
import { UsageError, type CommandSpec, type OptionSet, type Positional, type Values } from './command-table.js';
import type { Signer } from '../approvals/sign.js';
import type { DeploymentPlan } from '../checks/plan.js';

export const PROGRAM = 'g2p-onboard';

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  failed: 1,
  invalidInput: 2,
  refused: 3,
  notFound: 4,
  blocked: 5,
  /** `check`: a system no longer agrees with the deployment (drift, missing, conflict). */
  drift: 6,
  /** `check`: all agree, but a certificate, policy or license expires within the horizon. */
  expiring: 7,
  /** `plan`: a run would create or update something (nothing in conflict). */
  changes: 8,
  /** `plan`: something exists that is not this deployment's (another key, another owner); `start --plan` starts nothing. */
  conflict: 9,
  /** `plan`: nothing to change among what could be read, but some resource could not be checked. */
  unchecked: 10,
} as const;

/** The plan's exit code: conflict over changes over unchecked over in sync. */
export function planExit(
  summary: Record<'create' | 'update' | 'in-sync' | 'conflict' | 'cannot-check', number>,
): number {
  if (summary.conflict) return EXIT.conflict;
  if (summary.create || summary.update) return EXIT.changes;
  if (summary['cannot-check']) return EXIT.unchecked;
  return EXIT.ok;
}

export interface Context {
  values: Values;
  positionals: string[];
  config: CliConfig;
}

// Spec parsing (zod, yaml, key handling), signing and audit verification load only for the
// commands that need them: `status` and `list` stay quick to start.
async function loadSpecFile(file: string) {
  return (await import('../spec/load.js')).loadSpecFile(file);
}

// The shared option sets and arguments.

/** Every command: human text by default, JSON for scripts. */
const OUTPUT: OptionSet = {
  output: {
    type: 'string',
    short: 'o',
    choices: ['text', 'json'],
    default: 'text',
    description: 'text for people, json for scripts',
  },
};
/** Who acts, proven: a person of the worker's identity registry and their private key. */
const IDENTITY: OptionSet = {
  as: {
    type: 'string',
    value: '<name>',
    required: true,
    description: "who you are, as the worker's identity registry names you (else $G2P_ONBOARD_USER)",
  },
  key: {
    type: 'string',
    short: 'k',
    value: '<file|env:NAME>',
    required: true,
    description: 'your private key: a file, or env:NAME (else $G2P_ONBOARD_KEY); never the key itself',
  },
};
const COMMENT: OptionSet = {
  comment: { type: 'string', short: 'm', value: '<text>', description: 'why, recorded in the audit trail' },
};
const REQUIRED_COMMENT: OptionSet = { comment: { ...COMMENT.comment!, required: true } };
/** One way to name a run everywhere: its deployment id or its workflow id. */
const RUN: Positional = {
  name: 'deploymentId|workflowId',
  description: 'the run: its deployment id, or the workflow id onboard-<deploymentId>',
};
const SPEC: Positional = { name: 'spec.yaml', description: 'the deployment spec (README, "The deployment spec")' };

/** The workflow id the run reference names. */
const runOf = (positionals: string[]) => workflowIdFor(positionals[0]!);
const json = (v: Values) => v.output === 'json';
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/** G2P_ONBOARD_KEY belongs to G2P_ONBOARD_USER: someone acting `--as` another name gives that person's `--key`. */
function envKeyFor(config: CliConfig, name: string | undefined): string | undefined {
  return name !== undefined && name === (config.user ?? name) ? config.key : undefined;
}

async function signer({ values, config }: Context, verb: string, role: string): Promise<Signer> {
  const name = (values.as as string | undefined) ?? config.user;
  const keyRef = (values.key as string | undefined) ?? envKeyFor(config, name);
  if (!name)
    throw new UsageError(
      `${verb} needs --as <name> (or G2P_ONBOARD_USER): ${role} listed in the worker's identity registry`,
    );
  if (!keyRef)
    throw new UsageError(
      `${verb} needs --key <private key file|env:NAME> (or G2P_ONBOARD_KEY): the workflow verifies who signed it`,
    );
  const { loadSigner } = await import('./decide.js');
  return loadSigner(name, keyRef, config.secrets.env);
}

async function withClient<T>(config: CliConfig, body: (c: Client) => Promise<T>): Promise<T> {
  const codec = remoteCodecFor(loadConnectionConfig().namespace, config.codec, config.secrets);
  // A server that is not there is said within seconds: a person is waiting at the prompt.
  const c = await connectClient({ client: { dataConverter: { payloadCodecs: [codec] } }, connectTimeoutMs: 3_000 });
  try {
    return await body(c);
  } finally {
    await c.connection.close();
  }
}

export const COMMANDS: readonly CommandSpec<Context>[] = [
  {
    name: 'validate',
    role: 'staff',
    summary: "check a deployment spec offline and list every problem, including what the worker's policy would refuse",
    positionals: [SPEC],
    options: [
      {
        policy: {
          type: 'string',
          value: '<worker-policy.yaml>',
          description: 'the worker policy to check hosts and secret names against (else $G2P_ONBOARD_POLICY)',
        },
      },
      OUTPUT,
    ],
    async run({ values, positionals, config }) {
      const file = positionals[0]!;
      const spec = await loadSpecFile(file);
      // The worker's policy when one is at hand: hosts and variable names too.
      const policyPath = (values.policy as string | undefined) ?? config.policyFile;
      const { loadWorkerPolicy } = await import('../security/worker-policy.js');
      let policy;
      try {
        policy = policyPath ? loadWorkerPolicy(policyPath, { forChecksOnly: true }) : undefined;
      } catch (err) {
        console.error(`${PROGRAM} validate: ${(err as Error).message}`);
        return EXIT.invalidInput;
      }
      const { specRefusals } = await import('../security/spec-admission.js');
      const refusals = specRefusals(spec, policy);
      if (refusals.length) {
        const { locateProblems, SpecError } = await import('../spec/load.js');
        throw new SpecError(file, await locateProblems(file, refusals));
      }
      const checked = policy
        ? `checked against the worker policy ${policy.source}`
        : 'no worker policy given (--policy): hosts and variable prefixes not checked';
      if (json(values)) print({ valid: true, deploymentId: spec.deploymentId, policy: policy?.source ?? null });
      else console.log(`${file}: valid (deployment ${spec.deploymentId}; ${checked})`);
      return EXIT.ok;
    },
  },
  {
    name: 'start',
    role: 'staff',
    summary: 'start the onboarding of the deployment a spec describes',
    positionals: [SPEC],
    options: [
      IDENTITY,
      { wait: { type: 'boolean', short: 'w', description: 'follow the run to its end; exit 1 unless it completes' } },
      {
        plan: {
          type: 'boolean',
          description:
            'show the plan first (as `plan` does), then start, the plan bound to the signed start; a conflict starts nothing (exit 9)',
        },
      },
      OUTPUT,
    ],
    async run(context) {
      const { values, positionals, config } = context;
      const spec = await loadSpecFile(positionals[0]!);
      const initiator = await signer(context, 'start', 'an initiator');
      return withClient(config, async (c) => {
        // JSON: one document, with the plan in it (`plan` member) when --plan was given.
        let plan: DeploymentPlan | undefined;
        let planClaim;
        if (values.plan) {
          const { runPlan } = await import('./plan.js');
          const { renderPlan, summaryLine } = await import('../checks/plan.js');
          plan = await runPlan(c, spec);
          if (!json(values)) console.log(renderPlan(plan));
          if (plan.summary.conflict) {
            if (json(values)) print({ started: false, plan });
            console.error(
              `${PROGRAM} start: not started: ${plan.summary.conflict} resource(s) in conflict (see the plan); fix the spec or the systems, then start again`,
            );
            return EXIT.conflict;
          }
          planClaim = { digest: plan.digest!, summary: summaryLine(plan) };
        }
        const withPlan = <T extends object>(v: T) => (plan ? { ...v, plan } : v);
        const handle = await startOnboarding(c, spec, initiator, undefined, planClaim);
        const link = temporalUiUrl(c.options.namespace, handle.workflowId, undefined, config.uiUrl);
        if (!values.wait) {
          if (json(values))
            print(withPlan({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, ui: link }));
          else
            console.log(
              `started ${handle.workflowId}\n  follow:      ${PROGRAM} status ${spec.deploymentId}\n  Temporal UI: ${link}`,
            );
          return EXIT.ok;
        }
        if (!json(values)) console.log(`started ${handle.workflowId} — ${link}`);
        const result = await followRun(handle, values, spec.deploymentId);
        if (result === 'blocked') return EXIT.blocked;
        if (json(values)) print(withPlan(result));
        else console.log(`\n${renderResult(result, link)}`);
        return result.outcome === 'completed' ? EXIT.ok : EXIT.failed;
      });
    },
  },
  {
    name: 'status',
    role: 'anyone',
    summary: "show a run's phase, steps with timings, pending approval and last error",
    positionals: [RUN],
    options: [OUTPUT],
    async run({ values, positionals, config }) {
      return withClient(config, async (c) => {
        const handle = c.workflow.getHandle(runOf(positionals));
        // One round trip each, side by side: status is what people run most (start-up budget 0.5 s).
        const [status, { pmsWatch, builds, failed }] = await Promise.all([
          handle.query(statusQuery),
          describeRun(handle),
        ]);
        // A run the worker refused (unsigned, unknown signer, a spec beyond its policy) never began:
        // say so instead of showing a runbook that did not start.
        const refusal = failed ? await refusalOf(handle) : undefined;
        if (refusal) {
          if (json(values)) print({ workflowId: handle.workflowId, refused: refusal });
          else console.error(`${handle.workflowId}: refused by the worker before anything was touched: ${refusal}`);
          return EXIT.refused;
        }
        if (json(values)) print({ ...status, ...(status.pendingApproval && pmsWatch ? { pmsWatch } : {}), builds });
        else console.log(renderStatus(status, status.pendingApproval ? pmsWatch : undefined, builds));
        return EXIT.ok;
      });
    },
  },
  {
    name: 'watch',
    role: 'anyone',
    summary:
      'follow a run until it ends, printing each step as it finishes; exit 1 unless it completes, 5 when it is blocked',
    positionals: [RUN],
    options: [
      {
        follow: {
          type: 'boolean',
          description:
            'keep following a blocked run until someone retries or aborts it (default: stop with exit 5 and what to do)',
        },
      },
      OUTPUT,
    ],
    async run({ values, positionals, config }) {
      return withClient(config, async (c) => {
        const handle = c.workflow.getHandle<OnboardingWorkflow>(runOf(positionals));
        // JSON: the result alone, once the run ends (or the status, when it stops at a blocked run).
        const result = await followRun(handle, values, positionals[0]!);
        if (result === 'blocked') return EXIT.blocked;
        if (json(values)) print(result);
        else
          console.log(
            `\n${renderResult(result, temporalUiUrl(c.options.namespace, handle.workflowId, undefined, config.uiUrl))}`,
          );
        return result.outcome === 'completed' ? EXIT.ok : EXIT.failed;
      });
    },
  },
  {
    name: 'list',
    role: 'anyone',
    summary: 'list onboarding runs (newest first)',
    positionals: [],
    options: [
      {
        deployment: { type: 'string', value: '<deploymentId>', description: "that deployment's runs only" },
        'pending-approval': { type: 'boolean', description: 'runs waiting for an approval only' },
        approver: { type: 'string', value: '<name>', description: 'runs that approver decided on or is asked for' },
        unhealthy: {
          type: 'boolean',
          description:
            'deployments whose latest consistency check (drift watch or `check`) is not ok: drift, expiring or unreachable',
        },
      },
      OUTPUT,
    ],
    async run({ values, config }) {
      return withClient(config, async (c) => {
        if (values.unhealthy) {
          const { latestHealth } = await import('./drift-watch.js');
          const rows = (await latestHealth(c, values.deployment as string | undefined)).filter(
            (r) => r.health !== 'ok',
          );
          if (json(values)) print(rows);
          else if (rows.length === 0) console.log('every checked deployment is ok (as of its latest check)');
          else
            for (const r of rows)
              console.log(
                `${r.deploymentId.padEnd(32)} ${r.health.padEnd(12)} checked ${r.checkedAt}  ${r.workflowId}`,
              );
          return EXIT.ok;
        }
        const listed = await listRuns(c, {
          deployment: values.deployment as string | undefined,
          pendingApproval: Boolean(values['pending-approval']),
          approver: values.approver as string | undefined,
        });
        const rows = listed.map(({ pending: _status, ...row }) => row);
        if (json(values)) print(rows);
        else if (rows.length === 0) console.log('no onboarding runs');
        else
          for (const r of rows)
            console.log(
              `${r.workflowId.padEnd(40)} ${r.state.padEnd(28)} started ${r.startTime}${r.closeTime ? `  closed ${r.closeTime}` : ''}`,
            );
        return EXIT.ok;
      });
    },
  },
  {
    name: 'plan',
    role: 'anyone',
    summary:
      'show what a run of a spec would do to each resource (create, update, in sync, conflict, cannot check), read-only on the worker; exit 0 in sync, 8 changes, 9 conflict, 10 something unchecked',
    positionals: [SPEC],
    options: [OUTPUT],
    async run({ values, positionals, config }) {
      const spec = await loadSpecFile(positionals[0]!);
      return withClient(config, async (c) => {
        const { runPlan } = await import('./plan.js');
        const plan = await runPlan(c, spec);
        if (json(values)) print(plan);
        else console.log((await import('../checks/plan.js')).renderPlan(plan));
        return planExit(plan.summary);
      });
    },
  },
  {
    name: 'check',
    role: 'anyone',
    summary:
      'check that e-Signet, MOSIP PMS and OpenG2P still agree with a deployment (read-only, run on the worker); exit 0 ok, 6 drift, 7 expiring',
    positionals: [RUN],
    options: [OUTPUT],
    async run({ values, positionals, config }) {
      return withClient(config, async (c) => {
        const { runConsistencyCheck } = await import('./checks.js');
        const report = await runConsistencyCheck(c, runOf(positionals));
        if (json(values)) print(report);
        else {
          const { renderReport } = await import('../checks/report.js');
          console.log(renderReport(report));
        }
        if (report.health === 'drift') return EXIT.drift;
        if (report.health === 'expiring') return EXIT.expiring;
        return report.health === 'ok' ? EXIT.ok : EXIT.failed;
      });
    },
  },
  {
    name: 'drift-watch',
    role: 'anyone (show); ops',
    summary:
      "show a deployment's drift watch (the schedule a completed run creates to run the checks every monitoring.interval); pause, resume, run it now or remove it, signed by an operator",
    positionals: [
      RUN,
      { name: 'show|pause|resume|run-now|remove', description: 'what to do with the schedule (show changes nothing)' },
    ],
    options: [
      {
        as: {
          ...IDENTITY.as!,
          required: false,
          description: 'an operator of the worker’s identity registry (not for show)',
        },
        key: { ...IDENTITY.key!, required: false, description: 'your private key: a file, or env:NAME (not for show)' },
      },
      {
        comment: {
          ...COMMENT.comment!,
          description: "why, kept in the schedule's note with who signed (pause, resume)",
        },
      },
      OUTPUT,
    ],
    async run(context) {
      const { values, positionals, config } = context;
      const { DRIFT_WATCH_ACTIONS, driftWatch, renderDriftWatch } = await import('./drift-watch.js');
      const action = positionals[1] as (typeof DRIFT_WATCH_ACTIONS)[number];
      if (!DRIFT_WATCH_ACTIONS.includes(action))
        throw new UsageError(`the action must be one of ${DRIFT_WATCH_ACTIONS.join(', ')}, not "${positionals[1]}"`);
      const operator = action === 'show' ? undefined : await signer(context, `drift-watch ${action}`, 'an operator');
      return withClient(config, async (c) => {
        const view = await driftWatch(c, positionals[0]!, action, operator, values.comment as string | undefined);
        if (json(values)) print(view);
        else if ('removed' in view) console.log(`${view.scheduleId}: removed (the deployment is no longer checked)`);
        else console.log(renderDriftWatch(view));
        return EXIT.ok;
      });
    },
  },
  {
    name: 'update',
    role: 'staff (approvers too when lifecycle.requireApproval lists update)',
    summary:
      "apply a changed spec to an onboarded deployment: the OIDC client's name, logo, redirect URIs (claims and ACRs on e-Signet's API) and the OpenG2P provider's fields; shows the plan first, verifies after",
    positionals: [SPEC],
    options: [
      IDENTITY,
      COMMENT,
      { 'dry-run': { type: 'boolean', short: 'n', description: 'show the plan only; start nothing' } },
      OUTPUT,
    ],
    async run(context) {
      const { values, positionals, config } = context;
      const spec = await loadSpecFile(positionals[0]!);
      const { currentSpec, startLifecycle, updatePlan } = await import('./lifecycle.js');
      const initiator = values['dry-run'] ? undefined : await signer(context, 'update', 'an initiator');
      return withClient(config, async (c) => {
        const changes = updatePlan(await currentSpec(c, spec.deploymentId), spec);
        if (!json(values))
          console.log(
            changes.length
              ? `plan for ${spec.deploymentId}: update ${changes.join(', ')}`
              : `plan for ${spec.deploymentId}: the spec is unchanged (the update re-applies and verifies it)`,
          );
        if (!initiator) {
          if (json(values)) print({ deploymentId: spec.deploymentId, changes });
          return EXIT.ok;
        }
        const handle = await startLifecycle(c, 'update', spec, initiator, {
          options: { changes },
          comment: values.comment as string | undefined,
        });
        if (json(values)) print({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, changes });
        else console.log(`started update (${handle.workflowId})\n  follow: ${PROGRAM} status ${handle.workflowId}`);
        return EXIT.ok;
      });
    },
  },
  lifecycleCommand('offboard', {
    summary:
      'retire an onboarded deployment after the approvers agree: OpenG2P provider disabled, OIDC client INACTIVE, API key, MISP license and partners deactivated, drift watch removed',
    comment: 'required',
  }),
  lifecycleCommand('rotate-key', {
    summary:
      "replace the OIDC client's key: a new client for a new key, OpenG2P switched to it and verified, then the old client INACTIVE (switched back if verification fails)",
  }),
  lifecycleCommand('rotate-credentials', {
    summary: 'issue a new API key and/or MISP license (kept on the worker), then deactivate the old ones',
    flags: {
      'api-key': { type: 'boolean', description: 'the API key only (with neither flag: both)' },
      license: { type: 'boolean', description: 'the MISP license only (with neither flag: both)' },
    },
  }),
  lifecycleCommand('renew-certificates', {
    summary:
      "renew the Auth and MISP partners' certificates before they expire: new certificates uploaded to PMS (re-signed there) and verified",
  }),
  decisionCommand('approve'),
  decisionCommand('reject'),
  {
    name: 'retry',
    role: 'ops',
    summary:
      'resume a blocked run from the step that failed (after fixing the cause); with --spec, shows the plan of the change and re-applies the finished steps whose inputs changed',
    positionals: [RUN],
    options: [
      IDENTITY,
      {
        spec: {
          type: 'string',
          value: '<fixed.yaml>',
          description:
            'a corrected spec, validated first (it may not change deploymentId, approval or the partner ids)',
        },
      },
      COMMENT,
      OUTPUT,
    ],
    async run(context) {
      const { values, positionals, config } = context;
      // A corrected spec is validated here first: a bad one is refused before the run sees it.
      const spec = values.spec ? await loadSpecFile(String(values.spec)) : undefined;
      const operator = await signer(context, 'retry', 'an operator');
      return withClient(config, async (c) => {
        const handle = c.workflow.getHandle(runOf(positionals));
        // The plan of the change first: what the corrected spec re-applies, and what the systems would see.
        const change = spec ? await (await import('./plan.js')).planChange(c, handle, spec) : undefined;
        if (change && !json(values)) console.log(change.text);
        const status = await retryRun(handle, operator, {
          comment: values.comment as string | undefined,
          spec,
          plan: change?.claim,
        });
        if (json(values))
          print({
            workflowId: handle.workflowId,
            resumedStep: status.currentStep ?? null,
            by: operator.name,
            correctedSpec: (values.spec as string | undefined) ?? null,
            ...(change ? { reapply: change.reapply, plan: change.plan } : {}),
          });
        else
          console.log(
            `${handle.workflowId}: ${status.currentStep ?? 'run'} resumed by ${operator.name}${spec ? ` with the corrected spec from ${values.spec}` : ''}`,
          );
        return EXIT.ok;
      });
    },
  },
  {
    name: 'abort',
    role: 'ops',
    summary: 'end a blocked run (recorded with who and why)',
    positionals: [RUN],
    options: [IDENTITY, REQUIRED_COMMENT, OUTPUT],
    async run(context) {
      const { values, positionals, config } = context;
      if (!values.comment) throw new UsageError('abort needs --comment "why"');
      const operator = await signer(context, 'abort', 'an operator');
      return withClient(config, async (c) => {
        const handle = c.workflow.getHandle(runOf(positionals));
        await abortRun(handle, operator, values.comment as string);
        if (json(values)) print({ workflowId: handle.workflowId, aborted: true, by: operator.name });
        else console.log(`${handle.workflowId}: aborted by ${operator.name}`);
        return EXIT.ok;
      });
    },
  },
  {
    name: 'audit',
    role: 'ops and auditors',
    summary:
      "export a run's audit trail: steps, signed decisions, refusals, retries and aborts with who and when; exit 1 if --verify finds a bad signature",
    positionals: [RUN],
    options: [
      {
        verify: { type: 'boolean', description: 're-check every signature with the key recorded when it was accepted' },
      },
      {
        output: {
          ...OUTPUT.output!,
          choices: ['text', 'json', 'md'],
          description: 'text for people, json for scripts, md for a report',
        },
      },
      {
        format: {
          type: 'string',
          short: 'f',
          choices: ['text', 'json', 'md'],
          description: 'the same as --output',
          deprecatedFor: 'output',
        },
      },
    ],
    async run({ values, positionals, config }) {
      if (values.format !== undefined)
        console.error(`${PROGRAM} audit: --format is deprecated; use --output ${String(values.format)}`);
      const output = String(values.format ?? values.output);
      return withClient(config, async (c) => {
        const { loadAudit, renderAuditMarkdown, renderAuditText } = await import('./audit.js');
        const audit = await loadAudit(c, runOf(positionals), Boolean(values.verify));
        if (output === 'json') print(audit);
        else console.log(output === 'md' ? renderAuditMarkdown(audit) : renderAuditText(audit));
        return audit.entries.some((e) => e.verified === false) ? EXIT.failed : EXIT.ok;
      });
    },
  },
];

/**
 * A day-two operation on an onboarded deployment: started by staff (signed), one per deployment
 * at a time; the spec is the deployment's current one, read from its last completed run.
 */
function lifecycleCommand(
  operation: 'offboard' | 'rotate-key' | 'rotate-credentials' | 'renew-certificates',
  how: { summary: string; comment?: 'required'; flags?: OptionSet },
): CommandSpec<Context> {
  return {
    name: operation,
    role: 'staff',
    summary: how.summary,
    positionals: [RUN],
    options: [IDENTITY, how.comment ? REQUIRED_COMMENT : COMMENT, ...(how.flags ? [how.flags] : []), OUTPUT],
    async run(context) {
      const { values, positionals, config } = context;
      if (how.comment && !values.comment) throw new UsageError(`${operation} needs --comment "why"`);
      const initiator = await signer(context, operation, 'an initiator');
      const { currentSpec, startLifecycle } = await import('./lifecycle.js');
      return withClient(config, async (c) => {
        // The deployment, however the run reference names it.
        const deploymentId = positionals[0]!.replace(/^(onboard|lifecycle)-/, '');
        const spec = await currentSpec(c, deploymentId);
        const options =
          operation === 'rotate-credentials'
            ? { apiKey: Boolean(values['api-key']), license: Boolean(values.license) }
            : {};
        const handle = await startLifecycle(c, operation, spec, initiator, {
          options,
          comment: values.comment as string | undefined,
        });
        const link = temporalUiUrl(c.options.namespace, handle.workflowId, undefined, config.uiUrl);
        if (json(values))
          print({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, operation, ui: link });
        else
          console.log(
            `started ${operation} of ${deploymentId} (${handle.workflowId})\n  follow:      ${PROGRAM} status ${handle.workflowId}${operation === 'offboard' ? `\n  approvers:   ${PROGRAM} approve ${handle.workflowId} --as <approver> --key <private key file>` : ''}\n  Temporal UI: ${link}`,
          );
        return EXIT.ok;
      });
    },
  };
}

function decisionCommand(decision: 'approve' | 'reject'): CommandSpec<Context> {
  return {
    name: decision,
    role: 'Partner Admins',
    summary:
      decision === 'approve'
        ? "approve a run's pending Partner Admin approval (signed with your key)"
        : "reject a run's pending approval (ends the run; signed with your key)",
    positionals: [RUN],
    options: [
      {
        as: { ...IDENTITY.as!, description: "who you are: an approver the spec's approval.approvers names" },
        key: {
          ...IDENTITY.key!,
          description:
            'your private key: a file, or env:NAME (else $G2P_ONBOARD_APPROVER_KEY, or $G2P_ONBOARD_KEY when --as is $G2P_ONBOARD_USER)',
        },
      },
      decision === 'reject' ? REQUIRED_COMMENT : COMMENT,
      OUTPUT,
    ],
    async run({ values, positionals, config }) {
      if (!values.as)
        throw new UsageError(`${decision} needs --as <approver> (a name listed in the spec's approval.approvers)`);
      const keyRef = (values.key as string | undefined) ?? config.approverKey ?? envKeyFor(config, values.as as string);
      if (!keyRef)
        throw new UsageError(
          `${decision} needs --key <private key file> (or env:NAME, or G2P_ONBOARD_APPROVER_KEY): decisions are signed`,
        );
      if (decision === 'reject' && !values.comment) throw new UsageError('reject needs --comment "why"');
      const { decide, loadSigner } = await import('./decide.js');
      const approver = await loadSigner(values.as as string, keyRef, config.secrets.env);
      return withClient(config, async (c) => {
        const workflowId = runOf(positionals);
        const record = await decide(c, workflowId, decision, approver, values.comment as string | undefined);
        if (json(values)) print({ workflowId, ...record });
        else
          console.log(
            `${workflowId}: ${decision === 'approve' ? 'approved' : 'rejected'} by ${record.approver} at ${record.at} (signed decision recorded)`,
          );
        return EXIT.ok;
      });
    },
  };
}

/** The worker's reason when it refused the run (it failed as RunRefused), else undefined. */
async function refusalOf(handle: WorkflowHandle): Promise<string | undefined> {
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => (err as { cause?: { type?: string; message?: string } }).cause,
  );
  return failure?.type === RUN_REFUSED ? failure?.message : undefined;
}

/** Follows a run for `watch` and `start --wait`; 'blocked' when it stopped at a blocked run (unless --follow). */
async function followRun(
  handle: WorkflowHandle<OnboardingWorkflow>,
  values: Values,
  deploymentId: string,
): Promise<OnboardingResult | 'blocked'> {
  const stopWhenBlocked = !values.follow;
  try {
    return await watchRun(
      handle,
      json(values) ? { stopWhenBlocked } : { ...progressPrinter(deploymentId), stopWhenBlocked },
    );
  } catch (err) {
    if (!(err instanceof RunBlocked)) throw err;
    if (json(values)) print(err.status);
    else
      console.log(
        `  (stopped following: the run waits for ops; \`g2p-onboard watch ${deploymentId} --follow\` keeps following)`,
      );
    return 'blocked';
  }
}

function progressPrinter(deploymentId: string) {
  return {
    onStep: (name: string, status: StatusView) => {
      const step = status.steps.find((s) => s.name === name);
      if (step) console.log(renderStep(step));
    },
    onApprovalPending: (status: StatusView) => {
      const p = status.pendingApproval!;
      console.log(
        `  … waiting for ${p.required} approval(s) from ${p.awaiting.join(', ')} (deadline ${p.deadline})\n    ${PROGRAM} approve ${deploymentId} --as <approver> --key <private key file>`,
      );
    },
    onBlocked: (status: StatusView) => {
      const e = status.lastError!;
      console.log(
        `  ✖ BLOCKED at ${e.step}: ${e.type}${e.code ? ` ${e.code}` : ''} — ${e.message}\n    what to do: ${e.hint}\n    then: ${PROGRAM} retry ${deploymentId}  |  ${PROGRAM} abort ${deploymentId} --comment "why"`,
      );
    },
  };
}
