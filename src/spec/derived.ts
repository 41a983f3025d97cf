// Values every part of the product derives from a spec the same way.
import type { DeploymentSpec } from './schema.js';

export { durationMs } from './duration.js';

/** One live onboarding per deployment: the id is derived from the deployment, never assembled inline. */
export function onboardingWorkflowId(deploymentId: string): string {
  return `onboard-${deploymentId}`;
}

/**
 * One day-two operation per deployment at a time: every operation (update, key and credential
 * rotation, offboarding) runs under this one id, so Temporal itself refuses a second while one runs.
 */
export function lifecycleWorkflowId(deploymentId: string): string {
  return `lifecycle-${deploymentId}`;
}

/** The Temporal Schedule that keeps checking a completed deployment (one per deployment). */
export function driftWatchScheduleId(deploymentId: string): string {
  return `drift-watch-${deploymentId}`;
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
  /** ID Authentication's internal API (IDA's own certificates). */
  ida: string;
}

/** Each MOSIP service sits behind the API gateway unless the spec names its own URL. */
export function mosipServiceUrls(mosip: DeploymentSpec['mosip']): MosipServiceUrls {
  const base = mosip.apiBaseUrl;
  return {
    authmanager: mosip.authmanagerUrl ?? `${base}/v1/authmanager`,
    pms: mosip.pmsUrl ?? `${base}/v1/partnermanager`,
    policymanager: `${base}/v1/policymanager`,
    keymanager: mosip.keymanagerUrl ?? `${base}/v1/keymanager`,
    ida: mosip.idaUrl ?? `${base}/idauthentication/v1/internal`,
  };
}

export function apiKeyLabel(spec: DeploymentSpec): string {
  return spec.partners.auth.apiKeyLabel ?? `${spec.deploymentId}-openg2p`;
}

/** The drift watch's settings, defaults filled in (a spec of an earlier release has none). */
export function monitoringOf(spec: Pick<DeploymentSpec, 'monitoring' | 'approval'>): {
  interval: string;
  expiryHorizon: string;
  webhookUrl?: string;
} {
  return {
    interval: spec.monitoring?.interval ?? '1d',
    expiryHorizon: spec.monitoring?.expiryHorizon ?? '30d',
    webhookUrl: spec.monitoring?.webhookUrl ?? spec.approval.webhookUrl,
  };
}
