// One source of truth for the production topology: docker-compose.yml starts the same Temporal
// release, the same four services from the same config file with the same variables, and the
// same schema and search-attribute steps as `npm run cluster` (scripts/cluster/topology.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../src/project-root.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/search-attributes.js';
import {
  clusterPorts,
  DYNAMIC_CONFIG_FILE,
  MAX_PORT_OFFSET,
  NAMESPACE,
  POSTGRES_USER,
  SCHEMA_SETUP_SCRIPT,
  SEARCH_ATTRIBUTES_SCRIPT,
  SERVER_CONFIG_FILE,
  SERVER_SERVICES,
  serverEnvironment,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
} from '../../scripts/cluster/topology.js';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
}
const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
};
const env = (s: ComposeService) =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** deploy/temporal is mounted at /deploy: the container path of a repository file under it. */
const DEPLOY_MOUNT = './deploy/temporal:/deploy:ro';
const inContainer = (repoPath: string) => {
  assert.ok(repoPath.startsWith('deploy/temporal/'), `${repoPath} is not under deploy/temporal/`);
  return `/deploy/${repoPath.slice('deploy/temporal/'.length)}`;
};

test('Compose runs each of the cluster script’s Temporal services, one container each, at the pinned server version', () => {
  const temporalServices = Object.entries(compose.services).filter(([, s]) =>
    s.image?.startsWith('temporalio/server:'),
  );
  assert.deepEqual(temporalServices.map(([name]) => name).sort(), SERVER_SERVICES.map((s) => `temporal-${s}`).sort());
  for (const [name, s] of temporalServices) {
    assert.equal(s.image, `temporalio/server:${TEMPORAL_SERVER_VERSION}`, name);
    assert.ok(s.volumes?.includes(DEPLOY_MOUNT), `${name} mounts deploy/temporal at /deploy`);
  }
  for (const image of ['temporalio/admin-tools']) {
    for (const [name, s] of Object.entries(compose.services).filter(([, s]) => s.image?.startsWith(`${image}:`)))
      assert.equal(s.image, `${image}:${TEMPORAL_SERVER_VERSION}`, `${name}: the schema tool of the same release`);
  }
  assert.equal(service('temporal-ui').image, `temporalio/ui:${TEMPORAL_UI_VERSION}`);
});

test('each Temporal container gets exactly the environment the cluster script gives that service, with container addresses', () => {
  for (const name of SERVER_SERVICES) {
    const s = env(service(`temporal-${name}`));
    const expected = serverEnvironment({
      service: name,
      configFile: inContainer(SERVER_CONFIG_FILE),
      dynamicConfigFile: inContainer(DYNAMIC_CONFIG_FILE),
      postgresHost: 'postgresql',
      postgresPort: 5432,
      postgresPassword: s.POSTGRES_PWD ?? '',
      bindOnIp: '0.0.0.0',
    });
    assert.deepEqual(s, expected, `temporal-${name}`);
  }
});

test('every variable config.yaml needs without a default is set by both the script and Compose', () => {
  const config = readFileSync(join(projectRoot, SERVER_CONFIG_FILE), 'utf8');
  assert.match(
    config.split('\n')[0]!,
    /^# enable-template/,
    'the server renders it as a template only with this first line',
  );
  const withoutDefault = [...config.matchAll(/\{\{\s*env "([A-Z_]+)"\s*\}\}/g)].map((m) => m[1]!);
  const all = new Set([...config.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]!));
  assert.ok(withoutDefault.length > 0);
  const script = serverEnvironment({
    service: 'frontend',
    configFile: SERVER_CONFIG_FILE,
    dynamicConfigFile: DYNAMIC_CONFIG_FILE,
    postgresHost: '127.0.0.1',
    postgresPort: clusterPorts().postgres,
    postgresPassword: 'x',
    ports: clusterPorts(),
    bindOnIp: '127.0.0.1',
  });
  for (const name of withoutDefault) {
    assert.ok(name in script, `the cluster script sets ${name}`);
    assert.ok(name in env(service('temporal-frontend')), `Compose sets ${name}`);
  }
  // The script sets no variable the file does not read (a misspelt one would be silently ignored).
  const readByServer = new Set(['TEMPORAL_SERVER_CONFIG_FILE_PATH', 'TEMPORAL_SERVICES', 'TEMPORAL_ALLOW_NO_AUTH']);
  for (const name of Object.keys(script))
    assert.ok(all.has(name) || readByServer.has(name), `config.yaml reads ${name}`);
  // On one host the four services need distinct ports: each must come from the environment.
  const ports = Object.values(clusterPorts());
  assert.equal(new Set(ports).size, ports.length, 'the cluster’s ports are distinct');
  // Temporal keeps membership ports in a smallint: the largest offset allowed must stay below it.
  const highest = clusterPorts(MAX_PORT_OFFSET);
  for (const key of ['frontendMembership', 'historyMembership', 'matchingMembership', 'workerMembership'] as const)
    assert.ok(highest[key] <= 32767, `${key} ${highest[key]} fits a smallint`);
  assert.throws(() => clusterPorts(MAX_PORT_OFFSET + 1), /port offset/);
});

test('the schema and search-attribute steps are the same scripts with the same arguments', () => {
  const admin = service('temporal-admin-tools');
  assert.deepEqual(admin.command, [inContainer(SCHEMA_SETUP_SCRIPT)]);
  assert.equal(env(admin).POSTGRES_USER, POSTGRES_USER);
  assert.equal(env(service('temporal-frontend')).POSTGRES_USER, POSTGRES_USER);
  const setup = readFileSync(join(projectRoot, SCHEMA_SETUP_SCRIPT), 'utf8');
  assert.match(setup, /SCHEMA_DIR:-\/etc\/temporal\/schema/, 'Compose uses the schema the admin-tools image ships');
  const [script, namespace, ...names] = service('temporal-search-attributes').command ?? [];
  assert.equal(script, inContainer(SEARCH_ATTRIBUTES_SCRIPT));
  assert.equal(namespace, NAMESPACE);
  assert.deepEqual(names, [...ONBOARDING_SEARCH_ATTRIBUTE_NAMES]);
});
