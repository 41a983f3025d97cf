// g2p-onboard's commands: one command, verbs per role — staff start and watch runs, approvers
// decide, ops retry, abort and inspect. Talks to Temporal through the standard environment
// configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key, TOML profile). It never
// holds the payload key ring: payloads are encoded and decoded by the codec server, with the
// user's own token (TEMPORAL_CODEC_ENDPOINT, TEMPORAL_CODEC_AUTH), which logs each request.
// main.ts runs them, from the prepared bundle when there is a fresh one (bundle.ts).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SpecError } from '../spec/load.js';
import { connectClient, temporalUiUrl, loadConnectionConfig } from '../temporal/connection.js';
import { remoteCodecFromEnv } from '../security/remote-codec.js';
import { DEFAULT_CODEC_ENDPOINT, DEFAULT_CODEC_SERVER_TOKEN_REF } from '../security/codec-defaults.js';
import { OnboardingApprover, OnboardingDeploymentId, OnboardingStep } from '../workflows/search-attributes.js';
import {
  ONBOARDING_WORKFLOW_TYPE,
  statusQuery,
  type StatusView,
} from '../workflows/messages.js';
import { renderResult, renderStatus, renderStep } from './render.js';
import { abortRun, describeRun, Refused, retryRun, startOnboarding, watchRun, workflowIdFor } from './runs.js';
import type { Signer } from '../approvals/sign.js';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, invalidInput: 2, refused: 3, notFound: 4 } as const;

class UsageError extends Error {}

// Spec parsing (zod, yaml, key handling), signing and audit verification load only for the
// commands that need them: `status` and `list` stay quick to start.
async function loadSpecFile(file: string) {
  return (await import('../spec/load.js')).loadSpecFile(file);
}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: string[];
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[] }): Promise<number>;
}

const output = { output: { type: 'string' as const, short: 'o', default: 'text' } };
const json = (v: Record<string, unknown>) => v.output === 'json';
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
/** Who acts, proven: `--as` (else G2P_ONBOARD_USER) and `--key` (else G2P_ONBOARD_KEY), a person of the worker's identity registry. */
const identity = {
  as: { type: 'string' as const },
  key: { type: 'string' as const, short: 'k' },
};

/** G2P_ONBOARD_KEY belongs to G2P_ONBOARD_USER: someone acting `--as` another name gives that person's `--key`. */
function envKeyFor(name: string | undefined): string | undefined {
  return name !== undefined && name === (process.env.G2P_ONBOARD_USER ?? name) ? process.env.G2P_ONBOARD_KEY : undefined;
}

async function signer(values: Record<string, string | boolean | undefined>, verb: string, role: string): Promise<Signer> {
  const name = (values.as as string | undefined) ?? process.env.G2P_ONBOARD_USER;
  const keyRef = (values.key as string | undefined) ?? envKeyFor(name);
  if (!name) throw new UsageError(`${verb} needs --as <name> (or G2P_ONBOARD_USER): ${role} listed in the worker's identity registry`);
  if (!keyRef) throw new UsageError(`${verb} needs --key <private key file|env:NAME> (or G2P_ONBOARD_KEY): the workflow verifies who signed it`);
  const { loadSigner } = await import('./decide.js');
  return loadSigner(name, keyRef);
}

async function client(): Promise<Client> {
  const codec = remoteCodecFromEnv(loadConnectionConfig().namespace);
  return connectClient({ client: { dataConverter: { payloadCodecs: [codec] } } });
}

async function withClient<T>(body: (c: Client) => Promise<T>): Promise<T> {
  const c = await client();
  try {
    return await body(c);
  } finally {
    await c.connection.close();
  }
}

const commands: Record<string, Command> = {
  validate: {
    summary: "check a deployment spec offline and list every problem, including what the worker's policy would refuse",
    usage: 'g2p-onboard validate <spec.yaml> [--policy worker-policy.yaml] [--output json]',
    options: { ...output, policy: { type: 'string' } },
    positionals: ['spec'],
    async run({ values, positionals }) {
      const file = positionals[0]!;
      const spec = await loadSpecFile(file);
      // The worker's policy when one is at hand (--policy, else $G2P_ONBOARD_POLICY): hosts and variable names too.
      const policyPath = (values.policy as string | undefined) ?? (process.env.G2P_ONBOARD_POLICY || undefined);
      const { loadWorkerPolicy } = await import('../security/worker-policy.js');
      let policy;
      try {
        policy = policyPath ? loadWorkerPolicy(policyPath, { forChecksOnly: true }) : undefined;
      } catch (err) {
        console.error(`g2p-onboard validate: ${(err as Error).message}`);
        return EXIT.invalidInput;
      }
      const { specRefusals } = await import('../security/spec-admission.js');
      const refusals = specRefusals(spec, policy);
      if (refusals.length) {
        const { locateProblems, SpecError } = await import('../spec/load.js');
        throw new SpecError(file, await locateProblems(file, refusals));
      }
      const checked = policy ? `checked against the worker policy ${policy.source}` : 'no worker policy given (--policy): hosts and variable prefixes not checked';
      if (json(values)) print({ valid: true, deploymentId: spec.deploymentId, policy: policy?.source ?? null });
      else console.log(`${file}: valid (deployment ${spec.deploymentId}; ${checked})`);
      return EXIT.ok;
    },
  },
  start: {
    summary: 'start the onboarding of the deployment a spec describes',
    usage: 'g2p-onboard start <spec.yaml> --as <initiator> --key <private key file|env:NAME> [--wait] [--output json]',
    options: { ...output, ...identity, wait: { type: 'boolean', short: 'w' } },
    positionals: ['spec'],
    async run({ values, positionals }) {
      const spec = await loadSpecFile(positionals[0]!);
      const initiator = await signer(values, 'start', 'an initiator');
      return withClient(async (c) => {
        const handle = await startOnboarding(c, spec, initiator);
        const link = temporalUiUrl(c.options.namespace, handle.workflowId);
        if (!values.wait) {
          if (json(values)) print({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, ui: link });
          else console.log(`started ${handle.workflowId}\n  follow:      g2p-onboard status ${spec.deploymentId}\n  Temporal UI: ${link}`);
          return EXIT.ok;
        }
        if (!json(values)) console.log(`started ${handle.workflowId} — ${link}`);
        const result = await watchRun(handle, json(values) ? {} : progressPrinter(spec.deploymentId));
        if (json(values)) print(result);
        else console.log(`\n${renderResult(result, link)}`);
        return result.outcome === 'completed' ? EXIT.ok : EXIT.failed;
      });
    },
  },
  status: {
    summary: "show a run's phase, steps with timings, pending approval and last error",
    usage: 'g2p-onboard status <deploymentId|workflowId> [--output json]',
    options: { ...output },
    positionals: ['id'],
    async run({ values, positionals }) {
      return withClient(async (c) => {
        const handle = c.workflow.getHandle(workflowIdFor(positionals[0]!));
        const [status, { pmsWatch, builds }] = await Promise.all([handle.query(statusQuery), describeRun(handle)]);
        if (json(values)) print({ ...status, ...(status.pendingApproval && pmsWatch ? { pmsWatch } : {}), builds });
        else console.log(renderStatus(status, status.pendingApproval ? pmsWatch : undefined, builds));
        return EXIT.ok;
      });
    },
  },
  watch: {
    summary: 'follow a run until it ends, printing each step as it finishes',
    usage: 'g2p-onboard watch <deploymentId|workflowId>',
    options: {},
    positionals: ['id'],
    async run({ positionals }) {
      return withClient(async (c) => {
        const handle = c.workflow.getHandle(workflowIdFor(positionals[0]!));
        const result = await watchRun(handle, progressPrinter(positionals[0]!));
        console.log(`\n${renderResult(result, temporalUiUrl(c.options.namespace, handle.workflowId))}`);
        return result.outcome === 'completed' ? EXIT.ok : EXIT.failed;
      });
    },
  },
  approve: decisionCommand('approve'),
  reject: decisionCommand('reject'),
  retry: {
    summary: 'resume a blocked run from the step that failed (after fixing the cause)',
    usage: 'g2p-onboard retry <deploymentId|workflowId> --as <operator> --key <private key file|env:NAME> [--spec fixed.yaml] [--comment "what was fixed"]',
    options: { ...identity, comment: { type: 'string', short: 'm' }, spec: { type: 'string' } },
    positionals: ['id'],
    async run({ values, positionals }) {
      // A corrected spec is validated here first: a bad one is refused before the run sees it.
      const spec = values.spec ? await loadSpecFile(String(values.spec)) : undefined;
      const operator = await signer(values, 'retry', 'an operator');
      return withClient(async (c) => {
        const handle = c.workflow.getHandle(workflowIdFor(positionals[0]!));
        const status = await retryRun(handle, operator, { comment: values.comment as string | undefined, spec });
        console.log(`${handle.workflowId}: ${status.currentStep ?? 'run'} resumed by ${operator.name}${spec ? ` with the corrected spec from ${values.spec}` : ''}`);
        return EXIT.ok;
      });
    },
  },
  abort: {
    summary: 'end a blocked run (recorded with who and why)',
    usage: 'g2p-onboard abort <deploymentId|workflowId> --as <operator> --key <private key file|env:NAME> --comment "why"',
    options: { ...identity, comment: { type: 'string', short: 'm' } },
    positionals: ['id'],
    async run({ values, positionals }) {
      if (!values.comment) throw new UsageError('abort needs --comment "why"');
      const operator = await signer(values, 'abort', 'an operator');
      return withClient(async (c) => {
        const handle = c.workflow.getHandle(workflowIdFor(positionals[0]!));
        await abortRun(handle, operator, values.comment as string);
        console.log(`${handle.workflowId}: aborted by ${operator.name}`);
        return EXIT.ok;
      });
    },
  },
  audit: {
    summary: "export a run's audit trail: steps, signed decisions, refusals, retries and aborts with who and when",
    usage: 'g2p-onboard audit <deploymentId|workflowId> [--format text|json|md] [--verify]',
    options: { format: { type: 'string', short: 'f', default: 'text' }, verify: { type: 'boolean' } },
    positionals: ['id'],
    async run({ values, positionals }) {
      const format = String(values.format);
      if (!['text', 'json', 'md'].includes(format)) throw new UsageError('--format must be text, json or md');
      return withClient(async (c) => {
        const { loadAudit, renderAuditMarkdown, renderAuditText } = await import('./audit.js');
        const audit = await loadAudit(c, positionals[0]!, Boolean(values.verify));
        if (format === 'json') print(audit);
        else console.log(format === 'md' ? renderAuditMarkdown(audit) : renderAuditText(audit));
        return audit.entries.some((e) => e.verified === false) ? EXIT.failed : EXIT.ok;
      });
    },
  },
  list: {
    summary: 'list onboarding runs (newest first)',
    usage: 'g2p-onboard list [--deployment <id>] [--pending-approval] [--approver <name>] [--output json]',
    options: { ...output, deployment: { type: 'string' }, 'pending-approval': { type: 'boolean' }, approver: { type: 'string' } },
    positionals: [],
    async run({ values }) {
      return withClient(async (c) => {
        let query = `WorkflowType = '${ONBOARDING_WORKFLOW_TYPE}'`;
        const quoted = (v: unknown) => `'${String(v).replaceAll("'", '')}'`;
        if (values.deployment) query += ` AND ${OnboardingDeploymentId.name} = ${quoted(values.deployment)}`;
        if (values['pending-approval']) query += ` AND ${OnboardingStep.name} = 'awaitApproval' AND ExecutionStatus = 'Running'`;
        if (values.approver) query += ` AND ${OnboardingApprover.name} = ${quoted(values.approver)}`;
        const rows = [];
        for await (const wf of c.workflow.list({ query })) {
          rows.push({ workflowId: wf.workflowId, runId: wf.runId, status: wf.status.name, startTime: wf.startTime.toISOString(), closeTime: wf.closeTime?.toISOString() });
          if (rows.length >= 200) break;
        }
        if (json(values)) print(rows);
        else if (rows.length === 0) console.log('no onboarding runs');
        else for (const r of rows) console.log(`${r.workflowId.padEnd(40)} ${r.status.padEnd(11)} started ${r.startTime}${r.closeTime ? `  closed ${r.closeTime}` : ''}`);
        return EXIT.ok;
      });
    },
  },
};

function decisionCommand(decision: 'approve' | 'reject'): Command {
  return {
    summary: decision === 'approve' ? "approve a run's pending Partner Admin approval (signed with your key)" : "reject a run's pending approval (ends the run; signed with your key)",
    usage: `g2p-onboard ${decision} <deploymentId|workflowId> --as <approver> --key <private key file|env:NAME> ${decision === 'reject' ? '--comment "why"' : '[--comment "…"]'}`,
    options: { ...identity, comment: { type: 'string', short: 'm' } },
    positionals: ['id'],
    async run({ values, positionals }) {
      if (!values.as) throw new UsageError(`${decision} needs --as <approver> (a name listed in the spec's approval.approvers)`);
      const keyRef = (values.key as string | undefined) ?? process.env.G2P_ONBOARD_APPROVER_KEY ?? envKeyFor(values.as as string);
      if (!keyRef) throw new UsageError(`${decision} needs --key <private key file> (or env:NAME, or G2P_ONBOARD_APPROVER_KEY): decisions are signed`);
      if (decision === 'reject' && !values.comment) throw new UsageError('reject needs --comment "why"');
      return withClient(async (c) => {
        const { decide } = await import('./decide.js');
        const record = await decide(c, positionals[0]!, decision, values.as as string, keyRef, values.comment as string | undefined);
        console.log(`${workflowIdFor(positionals[0]!)}: ${decision === 'approve' ? 'approved' : 'rejected'} by ${record.approver} at ${record.at} (signed decision recorded)`);
        return EXIT.ok;
      });
    },
  };
}

function progressPrinter(deploymentId: string) {
  return {
    onStep: (name: string, status: StatusView) => {
      const step = status.steps.find((s) => s.name === name);
      if (step) console.log(renderStep(step));
    },
    onApprovalPending: (status: StatusView) => {
      const p = status.pendingApproval!;
      console.log(`  … waiting for ${p.required} approval(s) from ${p.awaiting.join(', ')} (deadline ${p.deadline})\n    g2p-onboard approve ${deploymentId} --as <approver> --key <private key file>`);
    },
    onBlocked: (status: StatusView) => {
      const e = status.lastError!;
      console.log(`  ✖ BLOCKED at ${e.step}: ${e.type}${e.code ? ` ${e.code}` : ''} — ${e.message}\n    what to do: ${e.hint}\n    then: g2p-onboard retry ${deploymentId}  |  g2p-onboard abort ${deploymentId} --comment "why"`);
    },
  };
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    'g2p-onboard — onboard an OpenG2P deployment to MOSIP e-Signet as a durable Temporal workflow',
    '',
    'usage: g2p-onboard <command> [arguments] [--help]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Temporal connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,',
    'TEMPORAL_TLS_* or a TOML profile (TEMPORAL_PROFILE).',
    'Payloads are encrypted: the CLI encodes and decodes them through the codec server, with your token',
    '(the key ring stays on the workers and the codec server): TEMPORAL_CODEC_ENDPOINT (default',
    `${DEFAULT_CODEC_ENDPOINT}, what \`npm run temporal\` serves), TEMPORAL_CODEC_AUTH ("Bearer <token>"), else the`,
    `token from the reference in G2P_ONBOARD_CODEC_SERVER_TOKEN (default ${DEFAULT_CODEC_SERVER_TOKEN_REF}).`,
    'Who you are: start, retry and abort are signed with --as <name> --key <private key> (else',
    'G2P_ONBOARD_USER and G2P_ONBOARD_KEY); the worker verifies them against its identity registry.',
    '',
    'exit codes: 0 ok, 1 run failed or server error, 2 invalid input, 3 refused, 4 not found',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? EXIT.ok : EXIT.invalidInput;
  }
  const command = commands[name];
  if (!command) {
    console.error(`g2p-onboard: unknown command "${name}"\n\n${help()}`);
    return EXIT.invalidInput;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(`${command.summary}\n\nusage: ${command.usage}`);
      return EXIT.ok;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (parsed.positionals.length !== command.positionals.length) {
      throw new UsageError(`expected ${command.positionals.map((p) => `<${p}>`).join(' ') || 'no arguments'}, got ${parsed.positionals.length}`);
    }
    if (parsed.values.output && !['text', 'json'].includes(String(parsed.values.output))) throw new UsageError('--output must be text or json');
    return await command.run(parsed as never);
  } catch (err) {
    if (err instanceof UsageError || (err as Error)?.name === 'KeyRefError') {
      console.error(`g2p-onboard ${name}: ${(err as Error).message}\nusage: ${command.usage}`);
      return EXIT.invalidInput;
    }
    if ((err as Error)?.name === 'SpecError') {
      const { formatProblem } = await import('../spec/load.js');
      const specError = err as SpecError;
      console.error(`${specError.file}: ${specError.problems.length} problem${specError.problems.length === 1 ? '' : 's'}; nothing was started`);
      for (const p of specError.problems) console.error(`  ${formatProblem(p)}`);
      return EXIT.invalidInput;
    }
    if (err instanceof Refused) {
      console.error(`g2p-onboard ${name}: refused: ${err.message}`);
      return EXIT.refused;
    }
    if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') {
      console.error(`g2p-onboard ${name}: no onboarding run ${rest[0]} in namespace ${loadConnectionConfig().namespace}`);
      return EXIT.notFound;
    }
    console.error(`g2p-onboard ${name}: ${(err as Error)?.message ?? err}`);
    return EXIT.failed;
  }
}
