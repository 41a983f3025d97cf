// Which e-Signet release a server runs, from what it serves: Spring Boot's build info at
// `/actuator/info` (e-Signet builds it and leaves `/actuator/**` open), else the discovery
// document's features, which narrow it to a range. The spec's `esignet.version` is checked
// against this, never trusted alone.
import { z } from 'zod';
import { compareVersions } from '../compat/versions.js';
import { EgressRefused } from './egress.js';
import type { Discovery } from './esignet.js';
import { HttpClient, type HttpOptions } from './http.js';

export interface DetectedEsignetVersion {
  /** The exact release, when the server names it. */
  exact?: string;
  /** Otherwise (or also) the range its features place it in: `from` included, `below` excluded. */
  from?: string;
  below?: string;
  /** How it was told, for a check's evidence. */
  how: string;
}

const buildInfoSchema = z.object({ build: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+/) }) });

/**
 * What discovery alone tells (shared/reference/esignet.md §2.1, §5): 1.7.0 added DPoP and PS256/ES256
 * client assertions, 1.8.0 names `id_token_signed_response_alg`; before 1.7 the assertion is RS256 only.
 */
export function versionFromDiscovery(d: Discovery): DetectedEsignetVersion {
  const doc = d as Record<string, unknown>;
  const assertionAlgs = d.token_endpoint_auth_signing_alg_values_supported ?? [];
  if (typeof doc['id_token_signed_response_alg'] === 'string')
    return { from: '1.8.0', how: 'discovery names id_token_signed_response_alg (e-Signet 1.8.0+)' };
  if ('dpop_signing_alg_values_supported' in doc || assertionAlgs.some((alg) => alg === 'PS256' || alg === 'ES256'))
    return {
      from: '1.7.0',
      below: '1.8.0',
      how: 'discovery offers DPoP or PS256/ES256 client assertions (e-Signet 1.7.x)',
    };
  return { below: '1.7.0', how: 'discovery offers RS256 client assertions only, no DPoP (e-Signet before 1.7.0)' };
}

/** e-Signet's `/actuator/info` build version, or undefined when the server does not serve it (1.4.x, a proxy). */
async function buildVersion(esignetBaseUrl: string, opts?: HttpOptions): Promise<string | undefined> {
  const http = new HttpClient('esignet', esignetBaseUrl, opts);
  try {
    const res = await http.send('/actuator/info', { method: 'GET' });
    if (res.status !== 200) return undefined;
    const info = buildInfoSchema.safeParse(JSON.parse(res.text));
    return info.success ? /^\d+\.\d+\.\d+/.exec(info.data.build.version)![0] : undefined;
  } catch (err) {
    // What the worker policy refuses is said as such; anything else just leaves discovery to tell.
    if (err instanceof EgressRefused) throw err;
    return undefined;
  }
}

/** Detects the release an e-Signet server runs; `esignetBaseUrl` includes `/v1/esignet`. */
export async function detectEsignetVersion(
  esignetBaseUrl: string,
  discovery: Discovery,
  opts?: HttpOptions,
): Promise<DetectedEsignetVersion> {
  const fromDiscovery = versionFromDiscovery(discovery);
  const exact = await buildVersion(esignetBaseUrl, opts);
  if (exact) return { ...fromDiscovery, exact, how: `${esignetBaseUrl}/actuator/info reports build ${exact}` };
  return fromDiscovery;
}

export interface ReconciledVersion {
  /**
   * The release to judge by: the detected one, else the spec's when it fits the detected range, else the
   * lowest release of that range (undefined when the range has no lower end).
   */
  effective?: string;
  /** The effective release was read from the server, not taken from the spec. */
  confirmed: boolean;
  /** Set when the spec's version contradicts what the server shows. */
  mismatch?: string;
}

function fitsRange(version: string, d: DetectedEsignetVersion): boolean {
  if (d.from && compareVersions(version, d.from) < 0) return false;
  return !(d.below && compareVersions(version, d.below) >= 0);
}

function rangeText(d: DetectedEsignetVersion): string {
  if (d.from && d.below) return `${d.from}–${d.below} (exclusive)`;
  return d.from ? `${d.from} or later` : `before ${d.below}`;
}

/** The spec's `esignet.version` against the detected release. */
export function reconcileEsignetVersion(specVersion: string, detected: DetectedEsignetVersion): ReconciledVersion {
  if (detected.exact) {
    return compareVersions(detected.exact, specVersion) === 0
      ? { effective: detected.exact, confirmed: true }
      : {
          effective: detected.exact,
          confirmed: true,
          mismatch: `spec says esignet.version ${specVersion}, but ${detected.how}: set esignet.version: ${detected.exact}`,
        };
  }
  if (fitsRange(specVersion, detected)) return { effective: specVersion, confirmed: false };
  return {
    effective: detected.from,
    confirmed: false,
    mismatch: `spec says esignet.version ${specVersion}, but ${detected.how}, i.e. a release ${rangeText(detected)}: correct esignet.version`,
  };
}
