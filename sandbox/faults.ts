// Fault injection for the sandbox's real system ports (never the control port): latency,
// 5xx, connection resets, requests that never get an answer, and "commit then fail" — the
// real handler runs, so the write happens, and the client gets an error instead of its
// answer. Rules target one route (optionally narrowed by text the request must contain);
// a global rate faults any route. Rates are probabilities; `count` makes a rule fire a fixed
// number of times, for deterministic tests.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Route, SandboxRequest } from './router.js';

export const FAULT_KINDS = [
  'latency',
  'error',
  'reset',
  'hang',
  'commit-then-fail',
  'commit-then-reset',
  'commit-then-hang',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a global fault rate picks from by default: every kind that makes a request fail. */
export const FAILING_KINDS: FaultKind[] = [
  'error',
  'reset',
  'hang',
  'commit-then-fail',
  'commit-then-reset',
  'commit-then-hang',
];

export const faultRuleSchema = z.object({
  /** HTTP method, or `*`. */
  method: z
    .string()
    .min(1)
    .default('*')
    .transform((m) => m.toUpperCase()),
  /** The route's pattern (`/v1/partnermanager/partners/:partnerId/policy/map`), a concrete path, or a path with `*` wildcards. */
  path: z.string().startsWith('/'),
  /** Texts the request's query string or body must all contain, e.g. `"dep-1-auth"` to fault one deployment only. */
  match: z.array(z.string().min(1)).default([]),
  kind: z.enum(FAULT_KINDS),
  /** Delay of a `latency` fault. */
  latencyMs: z.number().int().min(0).default(1000),
  /** Status of an `error` fault (commit-then-fail always answers 500). */
  status: z.number().int().min(500).max(599).default(503),
  /** Probability that a matching request is faulted. */
  rate: z.number().min(0).max(1).default(1),
  /** Stop after this many injections (`once` = 1); absent = no limit. */
  count: z.number().int().positive().optional(),
});
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;

export const globalFaultsSchema = z.object({
  /** Probability that any request on any route gets one of `kinds`. */
  rate: z.number().min(0).max(1).default(0),
  kinds: z.array(z.enum(FAULT_KINDS)).min(1).default(FAILING_KINDS),
  /** Added before every request (0 = none). */
  latencyMs: z.number().int().min(0).default(0),
  /** Delay of a `latency` kind picked by the rate. */
  faultLatencyMs: z.number().int().min(0).default(1000),
});
export type GlobalFaultsInput = z.input<typeof globalFaultsSchema>;
export type GlobalFaults = z.output<typeof globalFaultsSchema>;

/** The control API's `POST /faults` body: rules as objects or in the command-line syntax. */
export const faultsRequestSchema = z.object({
  rules: z.array(z.union([z.string(), faultRuleSchema])).default([]),
  global: globalFaultsSchema.partial().optional(),
});

export interface InstalledFault {
  id: number;
  rule: FaultRule;
  /** Requests this rule faulted so far. */
  injected: number;
  /** Settles when the rule first faults a request (tests wait on it to know a call is in flight). */
  firstHit: Promise<void>;
}

export interface InjectedFault {
  kind: FaultKind;
  /** Rule id, or `global`. */
  source: number | 'global';
  system: string;
  method: string;
  path: string;
  at: string;
}

export type Verdict = { outcome: 'continue' | 'handled'; fault?: string };

const KIND_PATTERN =
  /^(latency|error|5xx|reset|hang|commit-then-fail|commit-then-reset|commit-then-hang)(?:-(\d+)(?:ms)?)?$/;

/**
 * Parses the command-line form `<METHOD> <path> [~text…]=<kind>[:<mode>]`, e.g.
 * `POST /v1/partnermanager/partners=commit-then-fail:0.5`, `* /jsonrpc ~"create"=hang:once`,
 * `GET /v1/esignet/oidc/.well-known/openid-configuration=latency-2000:x3`.
 * kind: latency-<ms> | error[-<status>] | 5xx | reset | hang | commit-then-fail | commit-then-reset | commit-then-hang;
 * mode: a probability (0.5), `once`, or `x<N>` (N times); default: always.
 */
export function parseFaultRule(text: string): FaultRule {
  const eq = text.lastIndexOf('=');
  if (eq < 0) throw new Error(`fault "${text}": expected <METHOD> <path>=<kind>[:<mode>]`);
  const target = text.slice(0, eq).trim();
  const [kindText = '', mode, ...extra] = text
    .slice(eq + 1)
    .trim()
    .split(':');
  if (extra.length) throw new Error(`fault "${text}": more than one ':' after the kind`);
  const [first = '', ...rest] = target.split(/\s+(?=~)|\s+(?=\/)/);
  const hasMethod = !first.startsWith('/');
  const method = hasMethod ? first : '*';
  const path = hasMethod ? rest.shift() : first;
  if (!path?.startsWith('/')) throw new Error(`fault "${text}": the route must be "<METHOD> /path" or "/path"`);
  const match = rest.map((part) => {
    if (!part.startsWith('~') || part.length < 2)
      throw new Error(`fault "${text}": "${part}" should be ~<text the request contains>`);
    return part.slice(1).trim();
  });
  const kindMatch = KIND_PATTERN.exec(kindText);
  if (!kindMatch)
    throw new Error(
      `fault "${text}": unknown kind "${kindText}" (${FAULT_KINDS.join(', ')}; latency-<ms>, error-<status>)`,
    );
  const kind = (kindMatch[1] === '5xx' ? 'error' : kindMatch[1]) as FaultKind;
  const param = kindMatch[2] === undefined ? undefined : Number(kindMatch[2]);
  const input: FaultRuleInput = { method, path, match, kind };
  if (kind === 'latency' && param !== undefined) input.latencyMs = param;
  if (kind === 'error' && param !== undefined) input.status = param;
  if (mode !== undefined) {
    if (mode === 'once') input.count = 1;
    else if (/^x\d+$/.test(mode)) input.count = Number(mode.slice(1));
    else if (/^(0(\.\d+)?|1(\.0+)?)$/.test(mode)) input.rate = Number(mode);
    else throw new Error(`fault "${text}": mode "${mode}" must be a probability (0.2), once, or x<N>`);
  }
  return faultRuleSchema.parse(input);
}

function pathMatches(rule: FaultRule, route: Route, path: string): boolean {
  if (rule.path === route.path || rule.path === path) return true;
  if (!rule.path.includes('*')) return false;
  const pattern = rule.path
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(path);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Settles when the client's connection closes before an answer was sent. */
function clientGone(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.socket?.destroyed) resolve();
    else res.once('close', () => resolve());
  });
}

export class FaultInjector {
  private rules: (InstalledFault & { resolveHit: () => void })[] = [];
  private nextId = 1;
  global: GlobalFaults = globalFaultsSchema.parse({});
  /** Every fault injected, newest last (tests and the soak read it). */
  readonly injected: InjectedFault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRuleInput | FaultRule | string): InstalledFault {
    const parsed = typeof rule === 'string' ? parseFaultRule(rule) : faultRuleSchema.parse(rule);
    let resolveHit!: () => void;
    const firstHit = new Promise<void>((resolve) => (resolveHit = resolve));
    const installed = { id: this.nextId++, rule: parsed, injected: 0, firstHit, resolveHit };
    this.rules.push(installed);
    return installed;
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  setGlobal(global: GlobalFaultsInput): void {
    this.global = globalFaultsSchema.parse({ ...this.global, ...global });
  }

  /** Removes every rule and the global rate and latency. */
  clear(): void {
    this.rules = [];
    this.global = globalFaultsSchema.parse({});
  }

  list(): { global: GlobalFaults; rules: { id: number; injected: number; rule: FaultRule }[] } {
    return { global: this.global, rules: this.rules.map(({ id, injected, rule }) => ({ id, injected, rule })) };
  }

  /** The router's interceptor for one system's service. */
  interceptorFor(system: string) {
    return (_system: string, route: Route, req: SandboxRequest, res: ServerResponse): Promise<Verdict> =>
      this.intercept(system, route, req, res);
  }

  private pick(
    route: Route,
    req: SandboxRequest,
  ): { kind: FaultKind; source: number | 'global'; latencyMs: number; status: number } | undefined {
    const text = `${req.query.toString()}\n${req.rawBody}`;
    for (const r of this.rules) {
      const { rule } = r;
      if (rule.count !== undefined && r.injected >= rule.count) continue;
      if (rule.method !== '*' && rule.method !== req.method) continue;
      if (!pathMatches(rule, route, req.path)) continue;
      if (!rule.match.every((m) => text.includes(m))) continue;
      if (rule.rate < 1 && this.random() >= rule.rate) continue;
      r.injected += 1;
      r.resolveHit();
      return { kind: rule.kind, source: r.id, latencyMs: rule.latencyMs, status: rule.status };
    }
    const g = this.global;
    if (g.rate > 0 && this.random() < g.rate) {
      const kind = g.kinds[Math.floor(this.random() * g.kinds.length)]!;
      return { kind, source: 'global', latencyMs: g.faultLatencyMs, status: 503 };
    }
    return undefined;
  }

  private async intercept(system: string, route: Route, req: SandboxRequest, res: ServerResponse): Promise<Verdict> {
    const gone = clientGone(res);
    let goneNow = false;
    void gone.then(() => (goneNow = true));
    if (this.global.latencyMs > 0) await Promise.race([delay(this.global.latencyMs), gone]);
    // A request whose client left while it waited is dropped, like one a proxy had not yet forwarded.
    if (goneNow) return { outcome: 'handled', fault: 'dropped' };

    const fault = this.pick(route, req);
    if (!fault) return { outcome: 'continue' };
    this.injected.push({
      kind: fault.kind,
      source: fault.source,
      system,
      method: req.method,
      path: req.path,
      at: new Date().toISOString(),
    });

    switch (fault.kind) {
      case 'latency':
        await Promise.race([delay(fault.latencyMs), gone]);
        return goneNow
          ? { outcome: 'handled', fault: 'latency (client left; dropped)' }
          : { outcome: 'continue', fault: 'latency' };
      case 'error':
        answerError(res, fault.status, 'error');
        return { outcome: 'handled', fault: 'error' };
      case 'reset':
        res.socket?.destroy();
        return { outcome: 'handled', fault: 'reset' };
      case 'hang':
        await gone;
        return { outcome: 'handled', fault: 'hang' };
      default: {
        // The write happens; only its answer is lost.
        await route.handler(req);
        if (fault.kind === 'commit-then-fail') answerError(res, 500, fault.kind);
        else if (fault.kind === 'commit-then-reset') res.socket?.destroy();
        else await gone;
        return { outcome: 'handled', fault: fault.kind };
      }
    }
  }
}

function answerError(res: ServerResponse, status: number, kind: string): void {
  // Not a MOSIP/e-Signet/Odoo envelope: a gateway or crashed service answers like this.
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: 'sandbox_fault', fault: kind, status }));
}
