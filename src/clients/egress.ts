// Where a run's HTTP may go, decided by the worker's policy and enforced where the socket opens.
// A spec names hosts; the policy says which a deployment may reach, and after DNS resolution
// the address itself is checked in the connector's lookup, so a name that resolves to a public
// address when checked and to 169.254.169.254 when connected (DNS rebinding) cannot slip through.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { hostAllowed, type EgressPolicy } from '../security/worker-policy.js';

/** What a run may reach, and where the rule comes from, for messages that say what to change. */
export interface EgressRules extends EgressPolicy {
  /** e.g. `deployment openg2p-x in the worker policy /etc/g2p-onboard/worker-policy.yaml`. */
  origin: string;
}

const SOME_ENTRY = "the deployment's entry in the worker policy";

/** A request the policy does not allow: permanent until the operator changes the policy or the spec. */
export class EgressRefused extends Error {
  override name = 'EgressRefused';
  readonly code = 'G2P_EGRESS_REFUSED';
  constructor(
    readonly host: string,
    message: string,
    /** What the operator or the spec author can change, given the policy entry that applied. */
    private readonly remedy: (origin: string) => string,
    readonly origin = SOME_ENTRY,
  ) {
    super(message);
  }

  get hint(): string {
    return this.remedy(this.origin);
  }

  /** The same refusal naming the entry that applied (connections are shared, so the connector cannot know it). */
  in(origin: string): EgressRefused {
    return new EgressRefused(this.host, this.message, this.remedy, origin);
  }
}

/** Names plain http may use: the sandbox on this machine (the spec schema allows the same). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

// Addresses a spec must not reach unless the policy says `privateNetworks: true`: the worker's
// own machine, the networks behind it and the cloud metadata service (169.254.169.254).
const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`) as the IPv4 address it stands for. */
function mappedIpv4(address: string): string | undefined {
  const m = /^::ffff:(?:0:)?(.+)$/i.exec(address);
  if (!m) return undefined;
  if (isIP(m[1]!) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]!);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address is loopback, private, link-local, unspecified or multicast. */
export function isNonPublicAddress(address: string): boolean {
  const v4 = isIP(address) === 4 ? address : mappedIpv4(address);
  if (v4) return nonPublic.check(v4, 'ipv4');
  return isIP(address) === 6 ? nonPublic.check(address, 'ipv6') : true;
}

function addressRefusal(host: string, address: string): EgressRefused {
  return new EgressRefused(
    host,
    `${host} resolves to ${address}, a loopback, private or link-local address the worker does not reach for this run`,
    (origin) => `if ${host} really is on your private network, set privateNetworks: true for ${origin}`,
  );
}

/** Plain http leaves this machine unprotected: only https, except to localhost (the sandbox). */
export function schemeRefusal(url: URL): EgressRefused | undefined {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_NAMES.has(hostname))) return undefined;
  return new EgressRefused(
    url.host,
    `${url.protocol}//${url.host} is refused: the worker sends only https (plain http to localhost only)`,
    () => 'use an https URL in the spec',
  );
}

/** The request's host (and port) against the hosts the policy lists for the deployment. */
export function hostRefusal(rules: EgressPolicy, url: URL): EgressRefused | undefined {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  // Patterns name IPv6 hosts in brackets, as URLs do.
  const asPattern = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  if (hostAllowed(rules.hosts, asPattern, port)) return undefined;
  return new EgressRefused(
    url.host,
    `${url.host} is not a host the worker policy allows this run to reach`,
    (origin) => `add ${url.host} to the hosts of ${origin}, or fix the spec's URL`,
  );
}

/** The request's origin: scheme, then host. */
export function originRefusal(rules: EgressPolicy, url: URL): EgressRefused | undefined {
  return schemeRefusal(url) ?? hostRefusal(rules, url);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that resolves every address of the name and refuses the
 * connection if any is non-public (unless allowed), so the socket only ever opens to checked addresses.
 */
export function guardedLookup(rules: EgressPolicy, resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = rules.privateNetworks ? undefined : list.find((a) => isNonPublicAddress(a.address));
      if (bad) return callback(addressRefusal(hostname, bad.address) as unknown as NodeJS.ErrnoException, []);
      if ((options as LookupAllOptions).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/**
 * undici's connector with the checks in front: the origin against the policy, an IP literal
 * against the address ranges (net.connect skips `lookup` for those), names through guardedLookup.
 * Certificates are always verified (`rejectUnauthorized: true`, whatever NODE_TLS_REJECT_UNAUTHORIZED says).
 */
export function guardedConnector(
  rules: EgressPolicy,
  tls: { ca?: string[] },
  resolve?: typeof dnsLookup,
): buildConnector.connector {
  const connect = buildConnector({
    rejectUnauthorized: true,
    ...(tls.ca ? { ca: tls.ca } : {}),
    lookup: guardedLookup(rules, resolve),
  } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const url = new URL(`${opts.protocol}//${opts.host}`);
    const refusal =
      originRefusal(rules, url) ??
      (isIP(opts.hostname) && !rules.privateNetworks && isNonPublicAddress(opts.hostname)
        ? addressRefusal(opts.hostname, opts.hostname)
        : undefined);
    if (refusal) {
      callback(refusal, null);
      return;
    }
    connect(opts, callback);
  };
}
