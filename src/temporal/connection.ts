// One place that decides which Temporal server and namespace the CLI, the worker and the
// scripts talk to. It follows Temporal's standard environment configuration
// (@temporalio/envconfig: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS*, TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE and the TOML profile), so a
// setup that works for the `temporal` CLI works here too.
import { Client, Connection, type ClientOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { withFailureConverter } from '../security/data-converter.js';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';
// 127.0.0.1 like the codec server the UI decodes through: the sign-in cookie belongs to one host name.
export const DEFAULT_TEMPORAL_UI_URL = 'http://127.0.0.1:8233';

export interface ConnectionSettings {
  /** Explicit values win over the environment and the TOML profile. */
  address?: string;
  namespace?: string;
  /** TOML profile name; defaults to $TEMPORAL_PROFILE, then "default". */
  profile?: string;
  /** Path to a TOML config file; defaults to $TEMPORAL_CONFIG_FILE, then the user's config dir. */
  configFile?: string;
  /** Environment to read instead of process.env (tests). */
  env?: Record<string, string | undefined>;
}

export interface ConnectionConfig {
  address: string;
  namespace: string;
  /** Options for `Connection.connect` and `NativeConnection.connect` alike (address, TLS, API key, gRPC metadata). */
  connectionOptions: NativeConnectionOptions & { address: string };
}

function definedEntries(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function loadConnectionConfig(settings: ConnectionSettings = {}): ConnectionConfig {
  const env = settings.env ?? process.env;
  let loaded;
  try {
    loaded = loadClientConnectConfig({
      profile: settings.profile,
      configSource: settings.configFile ? { path: settings.configFile } : undefined,
      overrideEnvVars: definedEntries(env),
    });
  } catch (err) {
    throw new Error(`Temporal connection configuration is invalid: ${(err as Error).message}`, { cause: err });
  }
  const address = settings.address ?? loaded.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const namespace = settings.namespace ?? loaded.namespace ?? DEFAULT_TEMPORAL_NAMESPACE;
  const connectionOptions = { ...loaded.connectionOptions, address };
  // envconfig sets these keys even when undefined; dropping them keeps the SDK's own defaults.
  for (const key of ['apiKey', 'tls', 'metadata'] as const) {
    if (connectionOptions[key] === undefined) delete connectionOptions[key];
  }
  return { address, namespace, connectionOptions };
}

function unreachable(address: string, err: unknown): Error {
  return new Error(
    `cannot reach the Temporal server at ${address}: ${(err as Error).message}. ` +
      'Start one with `npm run temporal`, or point TEMPORAL_ADDRESS (or a TOML profile) at your cluster.',
    { cause: err },
  );
}

export interface ConnectClientOptions extends ConnectionSettings {
  /** Data converter, interceptors, plugins… passed to the Client. */
  client?: Omit<ClientOptions, 'connection' | 'namespace'>;
  connectTimeoutMs?: number;
}

/**
 * A Client on the configured namespace; close it with `client.connection.close()`. It always has
 * the workers' failure converter, so failures it reads and writes are encoded the same way.
 */
export async function connectClient(opts: ConnectClientOptions = {}): Promise<Client> {
  const config = loadConnectionConfig(opts);
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...config.connectionOptions,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
    });
  } catch (err) {
    throw unreachable(config.address, err);
  }
  return new Client({
    ...opts.client,
    dataConverter: withFailureConverter(opts.client?.dataConverter),
    connection,
    namespace: config.namespace,
  });
}

export interface WorkerConnection {
  connection: NativeConnection;
  namespace: string;
  address: string;
}

/** The worker's native (Rust core) connection, from the same configuration as `connectClient`. */
export async function connectWorkerConnection(settings: ConnectionSettings = {}): Promise<WorkerConnection> {
  const config = loadConnectionConfig(settings);
  // Loaded here, not at the top: the CLI imports this module and needs no native worker runtime.
  const { NativeConnection } = await import('@temporalio/worker');
  try {
    const connection = await NativeConnection.connect(config.connectionOptions);
    return { connection, namespace: config.namespace, address: config.address };
  } catch (err) {
    throw unreachable(config.address, err);
  }
}

/** A link to a run in the Temporal UI at `uiUrl` (the CLI's TEMPORAL_UI_URL; default the dev server's :8233); without runId the UI opens the latest run. */
export function temporalUiUrl(
  namespace: string,
  workflowId: string,
  runId?: string,
  uiUrl: string = DEFAULT_TEMPORAL_UI_URL,
): string {
  const base = uiUrl.replace(/\/+$/, '');
  const run = runId ? `/${encodeURIComponent(runId)}/history` : '';
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}${run}`;
}
