// The worker's configuration: every variable it reads, validated once at start (src/worker.ts),
// so a wrong value stops it before it connects, with the variable named. The Temporal connection
// (TEMPORAL_ADDRESS, TLS, API key, profile) is Temporal's own environment configuration, read by
// src/temporal/connection.ts. The sizing defaults keep one worker small while it holds a
// country's deployments waiting for approval: a waiting run has nothing to do between decisions
// (PMS is polled by activity retries on the server), so it can leave the cache and is replayed,
// from a short history, when something happens to it.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { LogLevel } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';
import { DEFAULT_CODEC_KEYS_REF } from '../security/codec-keys.js';
import { DEFAULT_CODEC_SERVER_TOKEN_REF } from '../security/codec-defaults.js';
import { DEFAULT_POLICY_FILE } from '../security/worker-policy.js';
import { LOG_LEVELS } from '../security/redacting-logger.js';
import type { SecretSource } from '../security/secrets.js';
import { readVariables, type VariableTable } from './variables.js';
import { optionalString, secretRef, wholeNumber, zodVariable } from './zod-variable.js';

/** Runs kept in memory (~0.3 MB each, measured by `npm run bench`); a waiting run leaves it and is replayed when touched. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;
export const DEFAULT_CREDENTIALS_DIR = '.data/credentials';

const logLevel = z
  .string()
  .transform((level) => level.toUpperCase())
  .pipe(z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], { message: `use one of ${LOG_LEVELS.join(', ')}` }))
  .optional()
  .transform((level): LogLevel => level ?? 'INFO');

/** An http(s) origin, or nothing: approval notices then name only the CLI. */
const approvalsPageLink = z
  .string()
  .optional()
  .refine((raw) => raw === undefined || (URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol)), {
    message: "the approvals page's origin as approvers open it, e.g. https://approvals.example.org",
  })
  .transform((raw) => (raw === undefined ? undefined : new URL(raw).origin));

const certificateChecks = z
  .string()
  .refine((value) => value !== '0', {
    message:
      "turns certificate checks off for the whole process; the worker refuses to start with it: unset it, and name a private CA in the spec's tls.caFile instead",
  })
  .optional();

export const WORKER_VARIABLES = {
  G2P_ONBOARD_POLICY: zodVariable(optionalString, {
    default: DEFAULT_POLICY_FILE,
    meaning:
      "the worker policy: which secrets, hosts and people each deployment's runs may use (SECURITY.md); without one the worker does not start",
  }),
  G2P_ONBOARD_CREDENTIALS_DIR: zodVariable(optionalString, {
    default: DEFAULT_CREDENTIALS_DIR,
    meaning: 'where the API key, license key and certificates a run obtains are stored (an owner-only folder)',
  }),
  G2P_ONBOARD_CODEC_KEYS: zodVariable(secretRef, {
    default: DEFAULT_CODEC_KEYS_REF,
    meaning:
      'secret reference to the payload key ring: one base64 32-byte key per line, the first is current (unset: the local file, created on first use)',
  }),
  G2P_ONBOARD_CODEC_SERVER_TOKEN: zodVariable(secretRef, {
    default: DEFAULT_CODEC_SERVER_TOKEN_REF,
    meaning: "the codec server's token reference: the worker only keeps specs from reading it",
  }),
  G2P_ONBOARD_APPROVALS_ORIGIN: zodVariable(approvalsPageLink, {
    default: '(none)',
    meaning:
      "where approvers open the approvals page (the page's own origin setting): approval notices link it; unset, they name the CLI only",
  }),
  G2P_ONBOARD_LOG_LEVEL: zodVariable(logLevel, { default: 'INFO', meaning: `log level: ${LOG_LEVELS.join(', ')}` }),
  G2P_ONBOARD_MAX_CACHED_WORKFLOWS: zodVariable(wholeNumber(0), {
    default: String(DEFAULT_MAX_CACHED_WORKFLOWS),
    meaning: 'runs kept in memory; a waiting run leaves the cache and is replayed when touched',
  }),
  G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES: zodVariable(wholeNumber(1), {
    default: "the SDK's",
    meaning: 'activities run at once',
  }),
  G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS: zodVariable(wholeNumber(2), {
    default: "the SDK's",
    meaning: 'workflow tasks run at once',
  }),
  G2P_ONBOARD_WORKFLOW_THREADS: zodVariable(wholeNumber(1), {
    default: "the SDK's",
    meaning: 'threads running workflow code (replays of evicted runs spread over cores)',
  }),
  G2P_ONBOARD_WORKFLOW_BUNDLE: zodVariable(optionalString, {
    default: 'dist/workflow-bundle.js',
    meaning: 'the workflow bundle `npm run build` prepares; when missing or stale the worker bundles at start (~2 s)',
  }),
  // Read by bin/g2p-onboard-worker before Node starts (V8 flags cannot be set from inside);
  // listed here so the table is the whole list.
  G2P_ONBOARD_NODE_FLAGS: zodVariable(optionalString, {
    default: '--max-semi-space-size=2 --optimize-for-size',
    meaning: 'the V8 flags bin/g2p-onboard-worker starts Node with (README, Performance)',
  }),
  NODE_TLS_REJECT_UNAUTHORIZED: zodVariable(certificateChecks, {
    meaning:
      "Node's own; `0` is refused: certificates are always verified (name a private CA in the spec's tls.caFile)",
  }),
} satisfies VariableTable;

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'workflowThreadPoolSize'
>;

export interface WorkerConfig {
  /** Absolute path of the worker policy. */
  policyFile: string;
  /** Absolute path of the credential store. */
  credentialsDir: string;
  codecKeysRef: string;
  /** No reference configured: the local setup's key file, created on first use. */
  localCodecKeys: boolean;
  codecServerTokenRef: string;
  logLevel: LogLevel;
  /** The approvals page approvers open, linked from approval notices; undefined: none is run. */
  approvalsPage?: string;
  tuning: WorkerTuning;
  /** Undefined: the bundle `npm run build` prepares. */
  workflowBundlePath?: string;
  /**
   * Where the operator's references (codec keys) and, within the policy's prefix, a spec's
   * `env:` references are read: the environment and folder the worker started in.
   */
  secrets: SecretSource;
}

/** The worker's configuration from `env`; throws a ConfigError naming each wrong variable and what to set. */
export function workerConfigFrom(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): WorkerConfig {
  const v = readVariables('worker', WORKER_VARIABLES, env);
  return {
    policyFile: resolve(cwd, v.G2P_ONBOARD_POLICY ?? DEFAULT_POLICY_FILE),
    credentialsDir: resolve(cwd, v.G2P_ONBOARD_CREDENTIALS_DIR ?? DEFAULT_CREDENTIALS_DIR),
    codecKeysRef: v.G2P_ONBOARD_CODEC_KEYS ?? DEFAULT_CODEC_KEYS_REF,
    localCodecKeys: v.G2P_ONBOARD_CODEC_KEYS === undefined,
    codecServerTokenRef: v.G2P_ONBOARD_CODEC_SERVER_TOKEN ?? DEFAULT_CODEC_SERVER_TOKEN_REF,
    logLevel: v.G2P_ONBOARD_LOG_LEVEL,
    ...(v.G2P_ONBOARD_APPROVALS_ORIGIN !== undefined ? { approvalsPage: v.G2P_ONBOARD_APPROVALS_ORIGIN } : {}),
    tuning: {
      maxCachedWorkflows: v.G2P_ONBOARD_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
      // Unset: the SDK's own defaults.
      ...(v.G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES !== undefined
        ? { maxConcurrentActivityTaskExecutions: v.G2P_ONBOARD_MAX_CONCURRENT_ACTIVITIES }
        : {}),
      ...(v.G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined
        ? { maxConcurrentWorkflowTaskExecutions: v.G2P_ONBOARD_MAX_CONCURRENT_WORKFLOW_TASKS }
        : {}),
      ...(v.G2P_ONBOARD_WORKFLOW_THREADS !== undefined
        ? { workflowThreadPoolSize: v.G2P_ONBOARD_WORKFLOW_THREADS }
        : {}),
    },
    ...(v.G2P_ONBOARD_WORKFLOW_BUNDLE !== undefined
      ? { workflowBundlePath: resolve(cwd, v.G2P_ONBOARD_WORKFLOW_BUNDLE) }
      : {}),
    secrets: { env, baseDir: cwd },
  };
}
