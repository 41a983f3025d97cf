// What `npm run cluster` runs, in one place: the pinned versions, the files under deploy/ both it
// and docker-compose.yml use, the server's services and the environment each is started with.
// test/unit/cluster-compose.test.ts holds docker-compose.yml to these, so the two cannot drift.

/** go.temporal.io/server: the server and its schema tool (temporal-sql-tool) are built from it. */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/**
 * github.com/temporalio/ui-server/v2: the Temporal UI (the temporalio/ui image carries the same
 * release). The newest that builds from the module proxy: 2.58.x needs go.temporal.io/api v1.64.0,
 * which the proxy does not serve.
 */
export const TEMPORAL_UI_VERSION = '2.56.4';
/**
 * Both modules' go.mod ask for Go 1.26.10 or newer; the go command fetches this toolchain from
 * the Go module proxy when the machine's own is older (GOTOOLCHAIN).
 */
export const GO_TOOLCHAIN = 'go1.27.3';

/** Paths relative to the project root. Compose mounts deploy/temporal at /deploy. */
export const SERVER_CONFIG_FILE = 'deploy/temporal/config.yaml';
export const DYNAMIC_CONFIG_FILE = 'deploy/temporal/dynamicconfig/development-sql.yaml';
export const SCHEMA_SETUP_SCRIPT = 'deploy/temporal/setup-postgres.sh';
export const SEARCH_ATTRIBUTES_SCRIPT = 'deploy/temporal/register-search-attributes.sh';
export const UI_CONFIG_DIR = 'deploy/temporal-ui';
export const UI_CONFIG_ENV = 'cluster';

/** Each runs as its own process (its own container under Compose), so each restarts alone. */
export const SERVER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServerService = (typeof SERVER_SERVICES)[number];

export const NAMESPACE = 'default';
/** The PostgreSQL role Temporal logs in as (Compose's too); its password is generated here. */
export const POSTGRES_USER = 'temporal';

/** Temporal's usual port numbers; the cluster adds an offset to all of them (--port-offset). */
const BASE_PORTS = {
  frontend: 7233,
  frontendHttp: 7243,
  history: 7234,
  matching: 7235,
  worker: 7239,
  frontendMembership: 6933,
  historyMembership: 6934,
  matchingMembership: 6935,
  workerMembership: 6939,
  ui: 8233,
  codecServer: 8234,
  // Not 5432: a PostgreSQL the machine already runs keeps its port.
  postgres: 5433,
};
export type ClusterPorts = typeof BASE_PORTS;

/**
 * Temporal stores each service's membership port in a PostgreSQL smallint (cluster_membership),
 * so no port may pass 32767: the membership ports (6933–6939) allow an offset up to this.
 */
export const MAX_PORT_OFFSET = 25_000;

export function clusterPorts(offset = 0): ClusterPorts {
  if (!(Number.isInteger(offset) && offset >= 0 && offset <= MAX_PORT_OFFSET))
    throw new Error(`port offset ${offset}: a whole number from 0 to ${MAX_PORT_OFFSET}`);
  return Object.fromEntries(Object.entries(BASE_PORTS).map(([k, v]) => [k, v + offset])) as ClusterPorts;
}

/**
 * The environment config.yaml is rendered from, the same variables Compose sets (the image's
 * entrypoint adds BIND_ON_IP and TEMPORAL_BROADCAST_ADDRESS there). The service to start and the
 * config file are passed the way Temporal's own entrypoint does: TEMPORAL_SERVICES and
 * TEMPORAL_SERVER_CONFIG_FILE_PATH, then `temporal-server start`.
 */
export function serverEnvironment(opts: {
  service: ServerService;
  configFile: string;
  dynamicConfigFile: string;
  postgresHost: string;
  postgresPort: number;
  postgresPassword: string;
  ports?: ClusterPorts;
  bindOnIp?: string;
}): Record<string, string> {
  const p = opts.ports;
  return {
    TEMPORAL_SERVER_CONFIG_FILE_PATH: opts.configFile,
    TEMPORAL_SERVICES: opts.service,
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    POSTGRES_SEEDS: opts.postgresHost,
    DB_PORT: String(opts.postgresPort),
    POSTGRES_USER,
    POSTGRES_PWD: opts.postgresPassword,
    DYNAMIC_CONFIG_FILE_PATH: opts.dynamicConfigFile,
    ...(opts.bindOnIp ? { BIND_ON_IP: opts.bindOnIp } : {}),
    ...(p
      ? {
          FRONTEND_GRPC_PORT: String(p.frontend),
          FRONTEND_HTTP_PORT: String(p.frontendHttp),
          FRONTEND_MEMBERSHIP_PORT: String(p.frontendMembership),
          HISTORY_GRPC_PORT: String(p.history),
          HISTORY_MEMBERSHIP_PORT: String(p.historyMembership),
          MATCHING_GRPC_PORT: String(p.matching),
          MATCHING_MEMBERSHIP_PORT: String(p.matchingMembership),
          WORKER_GRPC_PORT: String(p.worker),
          WORKER_MEMBERSHIP_PORT: String(p.workerMembership),
        }
      : {}),
  };
}
