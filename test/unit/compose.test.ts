// docker-compose.yml is checked without Docker: its shape against the parts of the Compose
// specification it uses, its cross-references, and its agreement with the code it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../../src/project-root.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/search-attributes.js';
import { SANDBOX_POLICY_FILE } from '../../sandbox/identities.js';
import { DEFAULT_SECRETS_DIR } from '../../sandbox/local.js';
import { sandboxConfigFromArgs } from '../../sandbox/config.js';

// --- The Compose specification, for the keys this project uses -----------------------------
const duration = z.string().regex(/^(\d+(\.\d+)?(us|ms|s|m|h))+$/, 'a Compose duration such as 5s or 1m30s');
const stringOrList = z.union([z.string(), z.array(z.string())]);
const healthcheck = z.strictObject({
  test: z.union([z.string(), z.tuple([z.enum(['CMD', 'CMD-SHELL', 'NONE'])], z.string())]),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: z.number().int().positive().optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: z.boolean().optional(),
});
const portMapping = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/),
]);
const dependsOn = z.union([
  z.array(z.string()),
  z.record(
    z.string(),
    z.strictObject({
      condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']),
      restart: z.boolean().optional(),
      required: z.boolean().optional(),
    }),
  ),
]);
const volumeMount = z
  .string()
  .regex(/^[^:]+:\/[^:]*(:(ro|rw|z|Z|nocopy)(,(ro|rw|z|Z|nocopy))*)?$/, 'SOURCE:/TARGET[:MODE]');
const service = z
  .strictObject({
    image: z.string().optional(),
    build: z
      .union([
        z.string(),
        z.strictObject({ context: z.string(), dockerfile: z.string().optional(), target: z.string().optional() }),
      ])
      .optional(),
    container_name: z.string().optional(),
    command: stringOrList.optional(),
    entrypoint: stringOrList.optional(),
    environment: z
      .union([
        z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
        z.array(z.string().regex(/^[^=]+=/)),
      ])
      .optional(),
    ports: z.array(portMapping).optional(),
    expose: z.array(z.union([z.string(), z.number()])).optional(),
    depends_on: dependsOn.optional(),
    networks: z
      .union([
        z.array(z.string()),
        z.record(z.string(), z.union([z.null(), z.strictObject({ aliases: z.array(z.string()).optional() })])),
      ])
      .optional(),
    network_mode: z
      .string()
      .regex(/^(bridge|host|none|service:[\w.-]+|container:[\w.-]+)$/)
      .optional(),
    volumes: z.array(volumeMount).optional(),
    healthcheck: healthcheck.optional(),
    restart: z
      .string()
      .regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/)
      .optional(),
    user: z.string().optional(),
    working_dir: z.string().optional(),
  })
  .refine((s) => s.image !== undefined || s.build !== undefined, 'a service needs `image` or `build`')
  .refine(
    (s) => !(s.network_mode && (s.networks || s.ports)),
    '`network_mode` cannot be combined with `networks` or `ports`',
  );
const topLevelResource = z.union([
  z.null(),
  z.strictObject({ driver: z.string().optional(), name: z.string().optional(), external: z.boolean().optional() }),
]);
const composeFile = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/)
    .optional(),
  services: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), service),
  networks: z.record(z.string(), topLevelResource).optional(),
  volumes: z.record(z.string(), topLevelResource).optional(),
});
type ComposeFile = z.infer<typeof composeFile>;
type Service = ComposeFile['services'][string];

// --- Helpers over the parsed file ---------------------------------------------------------
const composeText = readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8');
const compose = composeFile.parse(parse(composeText));

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const dependencies = (s: Service): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([name, d]) => [name, d.condition]));
const networksOf = (s: Service): string[] => {
  const shared = s.network_mode?.match(/^service:(.+)$/)?.[1];
  if (shared) return networksOf(compose.services[shared]!);
  return Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? { default: null });
};
const environment = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
const containerPorts = (s: Service): number[] =>
  list(s.ports).map((p) => Number(String(p).split('/')[0]!.split(':').at(-1)));
const hostPortMappings = (s: Service): string[] =>
  list(s.ports)
    .filter((p) => String(p).includes(':'))
    .map(String);
const bindSource = (mount: string): string => mount.split(':')[0]!;
const isBindMount = (mount: string): boolean => /^[./~]/.test(bindSource(mount));
const services = Object.entries(compose.services);
const service_ = (name: string): Service => {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
};

// --- Tests --------------------------------------------------------------------------------
test('the Compose schema used here rejects the mistakes it is meant to catch', () => {
  const bad = [
    { services: { a: {} } },
    { services: { a: { image: 'x:1', depends_on: { b: { condition: 'service_ready' } } } } },
    { services: { a: { image: 'x:1', healthcheck: { test: ['CMD'], interval: '5 seconds' } } } },
    { services: { a: { image: 'x:1', ports: ['7233:7233:7233'] } } },
    { services: { a: { image: 'x:1', network_mode: 'service:b', ports: ['80:80'] } } },
    { services: { a: { image: 'x:1', enviroment: { A: '1' } } } },
    { version: '3.5', services: { a: { image: 'x:1' } } },
  ];
  for (const doc of bad) assert.equal(composeFile.safeParse(doc).success, false, JSON.stringify(doc));
});

test('every depends_on target, network_mode service, named volume and network is declared, and start-up order has no cycle', () => {
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  const declaredNetworks = new Set(Object.keys(compose.networks ?? {}));
  for (const [name, s] of services) {
    for (const [target, condition] of Object.entries(dependencies(s))) {
      const dependency = compose.services[target];
      assert.ok(dependency, `${name} depends on undeclared service ${target}`);
      if (condition === 'service_healthy')
        assert.ok(
          dependency.healthcheck,
          `${name} waits for ${target} to be healthy, but ${target} has no healthcheck`,
        );
      if (condition === 'service_completed_successfully')
        assert.ok(
          !dependency.healthcheck && !dependency.ports,
          `${name} waits for ${target} to finish, but ${target} looks long-running`,
        );
    }
    const shared = s.network_mode?.match(/^service:(.+)$/)?.[1];
    if (shared) assert.ok(compose.services[shared], `${name} shares the network of undeclared service ${shared}`);
    for (const mount of list(s.volumes)) {
      if (!isBindMount(mount))
        assert.ok(declaredVolumes.has(bindSource(mount)), `${name} mounts undeclared volume ${bindSource(mount)}`);
    }
    if (!s.network_mode)
      for (const network of networksOf(s))
        assert.ok(declaredNetworks.has(network), `${name} joins undeclared network ${network}`);
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (done.has(name)) return;
    assert.ok(!visiting.has(name), `depends_on cycle: ${[...path, name].join(' → ')}`);
    visiting.add(name);
    const s = service_(name);
    const shared = s.network_mode?.match(/^service:(.+)$/)?.[1];
    for (const target of [...Object.keys(dependencies(s)), ...(shared ? [shared] : [])]) visit(target, [...path, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const [name] of services) visit(name, []);
});

test('images and base images are pinned to versions and nothing is left to $ interpolation', () => {
  for (const [name, s] of services) {
    if (s.build) continue;
    assert.match(
      s.image ?? '',
      /^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$/,
      `${name}: image ${s.image} must name a version`,
    );
  }
  const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');
  const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  assert.ok(bases.length > 0, 'Dockerfile has FROM lines');
  for (const base of bases) assert.match(base, /^[\w./-]+:\d[\w.-]*$/, `Dockerfile base ${base} must name a version`);
  const uncommented = composeText
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  assert.doesNotMatch(uncommented.replaceAll('$$', ''), /\$/, 'a single $ would be interpolated by Compose');
});

test('bind mounts and the scripts the one-shot containers run exist in the repository', () => {
  for (const [name, s] of services) {
    for (const mount of list(s.volumes).filter(isBindMount)) {
      assert.ok(existsSync(join(projectRoot, bindSource(mount))), `${name} mounts missing ${bindSource(mount)}`);
    }
    for (const arg of list(s.command).filter((a) => a.startsWith('/deploy/'))) {
      const script = join(projectRoot, 'deploy', 'temporal', arg.slice('/deploy/'.length));
      assert.ok(
        list(s.volumes).includes('./deploy/temporal:/deploy:ro'),
        `${name} runs ${arg} but does not mount deploy/temporal at /deploy`,
      );
      accessSync(script, constants.X_OK);
    }
  }
});

test('host ports are published on loopback only, each at most once', () => {
  const published = services.flatMap(([, s]) => hostPortMappings(s));
  for (const mapping of published)
    assert.match(mapping, /^127\.0\.0\.1:/, `${mapping} would be reachable from other machines`);
  const hostPorts = published.map((m) => m.split(':')[1]);
  assert.deepEqual(hostPorts, [...new Set(hostPorts)], 'a host port is published twice');
});

test('the worker reaches the Temporal frontend at temporal-frontend:7233 on a shared network, and starts only once the search attributes exist', () => {
  const worker = service_('worker');
  const frontend = service_('temporal-frontend');
  assert.equal(environment(worker).TEMPORAL_ADDRESS, 'temporal-frontend:7233');
  assert.ok(containerPorts(frontend).includes(7233), 'the frontend serves 7233');
  const common = networksOf(worker).filter((n) => networksOf(frontend).includes(n));
  assert.ok(
    common.length > 0,
    'worker and frontend share no network, so the name `temporal-frontend` would not resolve',
  );
  assert.equal(dependencies(worker)['temporal-search-attributes'], 'service_completed_successfully');
  assert.equal(dependencies(service_('temporal-search-attributes'))['temporal-frontend'], 'service_healthy');
  assert.equal(environment(service_('temporal-ui')).TEMPORAL_ADDRESS, 'temporal-frontend:7233');
});

test('the search attributes Compose registers are exactly those in src/workflows/search-attributes.ts, as Keyword', () => {
  const [script, namespace, ...names] = list(service_('temporal-search-attributes').command);
  assert.equal(script, '/deploy/register-search-attributes.sh');
  assert.equal(namespace, environment(service_('worker')).TEMPORAL_NAMESPACE);
  assert.deepEqual(names, [...ONBOARDING_SEARCH_ATTRIBUTE_NAMES]);
  const scriptText = readFileSync(join(projectRoot, 'deploy', 'temporal', 'register-search-attributes.sh'), 'utf8');
  assert.match(
    scriptText,
    /temporal operator search-attribute create --namespace "\$namespace" --name "\$name" --type Keyword/,
  );
});

test('the worker and sandbox containers run programs the image build produces, with options those programs accept', () => {
  assert.ok(existsSync(join(projectRoot, 'Dockerfile')), 'build: . needs a Dockerfile');
  // The worker runs through its launcher, which the image copies (bin/) and which starts dist/src/worker.js.
  const [launcher] = list(service_('worker').command);
  assert.equal(launcher, 'bin/g2p-onboard-worker');
  assert.match(
    readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'),
    /^COPY bin \.\/bin$/m,
    'the image carries the launcher',
  );
  const launcherText = readFileSync(join(projectRoot, launcher), 'utf8');
  assert.match(launcherText, /\/dist\/src\/worker\.js"/, 'the launcher starts the worker entry point');
  assert.ok(existsSync(join(projectRoot, 'src', 'worker.ts')));
  const [node, entry, ...args] = list(service_('sandbox').command);
  assert.equal(node, 'node');
  assert.equal(entry, 'dist/sandbox/main.js', 'the sandbox runs its entry point');
  assert.ok(existsSync(join(projectRoot, 'sandbox', 'main.ts')));
  assert.match(
    readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'),
    /^COPY sandbox \.\/sandbox$/m,
    'the image build compiles the sandbox',
  );
  assert.doesNotThrow(() => sandboxConfigFromArgs(args), 'the sandbox accepts the options Compose passes');
});

test('the worker container runs with the policy the sandbox writes, letting the example deployments reach it and read its secrets', () => {
  const file = environment(service_('worker')).G2P_ONBOARD_POLICY;
  assert.equal(
    file,
    SANDBOX_POLICY_FILE,
    'without G2P_ONBOARD_POLICY the worker looks for .data/worker-policy.yaml, which the worker-data volume does not hold',
  );
  const sandboxMount = list(service_('sandbox').volumes)
    .find((v) => v.startsWith('sandbox-data:'))!
    .split(':')[1]!;
  const workerMount = list(service_('worker').volumes).find((v) => v.startsWith('sandbox-data:'))!;
  assert.equal(workerMount, `sandbox-data:${sandboxMount}:ro`, "the worker reads the sandbox's data, read-only");
  assert.ok(`/app/${file}`.startsWith(`${sandboxMount}/`), 'the policy is in the shared volume');
  assert.ok(`/app/${DEFAULT_SECRETS_DIR}`.startsWith(`${sandboxMount}/`), 'and so are the secrets it points at');
});
