// Values every part of the product derives from a spec the same way.
import type { DeploymentSpec } from './schema.js';

/** One live onboarding per deployment: the id is derived from the deployment, never assembled inline. */
export function onboardingWorkflowId(deploymentId: string): string {
  return `onboard-${deploymentId}`;
}

/** Odoo's auth_oauth callback; e-Signet must have it registered verbatim. */
export function openg2pRedirectUri(spec: Pick<DeploymentSpec, 'openg2p'>): string {
  return `${spec.openg2p.url}/auth_oauth/signin`;
}

export function redirectUris(spec: Pick<DeploymentSpec, 'openg2p' | 'oidcClient'>): string[] {
  return [openg2pRedirectUri(spec), ...spec.oidcClient.extraRedirectUris];
}

export interface MosipServiceUrls {
  authmanager: string;
  pms: string;
  policymanager: string;
  keymanager: string;
}

/** Each MOSIP service sits behind the API gateway unless the spec names its own URL. */
export function mosipServiceUrls(mosip: DeploymentSpec['mosip']): MosipServiceUrls {
  const base = mosip.apiBaseUrl;
  return {
    authmanager: mosip.authmanagerUrl ?? `${base}/v1/authmanager`,
    pms: mosip.pmsUrl ?? `${base}/v1/partnermanager`,
    policymanager: `${base}/v1/policymanager`,
    keymanager: mosip.keymanagerUrl ?? `${base}/v1/keymanager`,
  };
}

export function apiKeyLabel(spec: DeploymentSpec): string {
  return spec.partners.auth.apiKeyLabel ?? `${spec.deploymentId}-openg2p`;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `14d`, `12h`, `30s` → milliseconds (the schema guarantees the shape). */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
