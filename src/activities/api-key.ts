// The Auth Partner's API key. PMS shows a key's value exactly once, in the answer to
// `generate/apikey`, and refuses a second key with the same label (PMS_PRT_110). So when that
// answer is lost (timeout, reset, crash after PMS committed), the key exists but nobody holds
// it. The worker writes down the label it is about to ask for; on the retry, PMS_PRT_110 for
// that very label means "ours, answer lost": the lost key is deactivated (it can never be
// used) and a new one is issued under the next label. A PMS_PRT_110 for a label this worker
// never asked for is somebody else's key, and blocks the run instead.
import { PmsClient } from '../clients/pms.js';
import { isMosipCode } from '../clients/mosip-envelope.js';
import { apiKeyLabel, mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretScope } from '../security/secrets.js';
import type { ActivityDeps } from './context.js';
import { authPartnerToken } from './mosip-session.js';
import type { StoredCredentials } from './credential-store.js';
import { blockingFailure } from './failures.js';

/** `partner_policy.label` is varchar(36) in PMS 1.2.0.1. */
const PMS_LABEL_MAX = 36;

export type StoredApiKey = NonNullable<StoredCredentials['apiKey']>;

export interface IssuedApiKey {
  key: StoredApiKey;
  /** Labels of keys PMS issued whose answer was lost, now deactivated. */
  deactivatedLabels: string[];
}

/** The label after `label`: `<base>-r2`, `-r3`… (the base shortened to fit PMS's 36 characters). */
export function nextApiKeyLabel(base: string, label: string): string {
  const current = label === base ? 1 : Number(/-r(\d+)$/.exec(label)?.[1] ?? 1);
  const suffix = `-r${current + 1}`;
  return base.slice(0, PMS_LABEL_MAX - suffix.length) + suffix;
}

/** The stored key for the spec's label, or a new one from PMS (as the partner itself: PMS issues keys only to the partner's own user). */
export async function ensureApiKey(
  spec: DeploymentSpec,
  secrets: SecretScope,
  deps: ActivityDeps,
): Promise<IssuedApiKey> {
  const base = apiKeyLabel(spec);
  const stored = await deps.credentials.read(spec.deploymentId);
  if (stored.apiKey && (stored.apiKey.requestedLabel ?? stored.apiKey.label) === base)
    return { key: stored.apiKey, deactivatedLabels: [] };

  const { id: partnerId, policy } = spec.partners.auth;
  const pms = new PmsClient(
    mosipServiceUrls(spec.mosip).pms,
    await authPartnerToken(spec, secrets, deps.http),
    deps.http,
  );
  const pending = stored.apiKeyRequest?.requestedLabel === base ? stored.apiKeyRequest : undefined;
  let label = pending?.label ?? base;
  // Only the label an earlier attempt asked for can be "ours with the answer lost".
  let askedBefore = pending !== undefined;
  const deactivatedLabels: string[] = [];
  for (;;) {
    await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, apiKeyRequest: { requestedLabel: base, label } }));
    try {
      const issued = await pms.generateApiKey(partnerId, policy, label);
      secrets.remember(issued.apiKey);
      const key: StoredApiKey = { label, value: issued.apiKey, policyId: issued.policyId, requestedLabel: base };
      // An attempt that outlived its timeout must not overwrite what a later attempt moved on to.
      const saved = await deps.credentials.update(spec.deploymentId, ({ apiKeyRequest, ...c }) =>
        apiKeyRequest && apiKeyRequest.label !== label ? { ...c, apiKeyRequest } : { ...c, apiKey: key },
      );
      return { key: saved.apiKey ?? key, deactivatedLabels };
    } catch (err) {
      if (!isMosipCode(err, 'PMS_PRT_110')) throw err;
      if (!askedBefore) {
        throw blockingFailure(
          'ApiKeyLost',
          `PMS already holds an API key labelled "${label}" for ${partnerId} that this worker never asked for, and PMS never shows a key's value twice`,
          {
            system: 'pms',
            code: 'PMS_PRT_110',
            hint: `if nobody uses that key, deactivate it in PMS (PATCH /partners/${partnerId}/policy/{policyId}/apiKey/status); set partners.auth.apiKeyLabel to a new label, then \`g2p-onboard retry --spec fixed.yaml\``,
          },
        );
      }
    }
    await deactivateLostKey(pms, partnerId, policy, label);
    deactivatedLabels.push(label);
    label = nextApiKeyLabel(base, label);
    askedBefore = false;
  }
}

/** The key PMS issued for `label` whose answer never arrived: unusable, so it must not stay active. */
async function deactivateLostKey(pms: PmsClient, partnerId: string, policyName: string, label: string): Promise<void> {
  const policyId = await pms.mappedPolicyId(partnerId, policyName);
  if (!policyId) {
    throw blockingFailure(
      'ApiKeyLost',
      `PMS issued an API key labelled "${label}" whose answer was lost, and the policy mapping that names its policy id cannot be found`,
      {
        system: 'pms',
        hint: `deactivate the key labelled "${label}" in PMS, set partners.auth.apiKeyLabel to a new label, then \`g2p-onboard retry --spec fixed.yaml\``,
      },
    );
  }
  await pms.setApiKeyStatus(partnerId, policyId, label, 'De-Active');
}
