// The Auth Partner's API key after onboarding: a new one issued and stored on the worker before
// the old one is deactivated (PATCH /partners/{id}/policy/{policyId}/apiKey/status), so the
// deployment never goes without a working key. PMS shows a key once and refuses a used label
// (PMS_PRT_110): the label asked for is written down first, as onboarding does (api-key.ts).
import { PmsClient } from '../clients/pms.js';
import { isMosipCode } from '../clients/mosip-envelope.js';
import { sha256Hex } from '../security/fingerprint.js';
import { apiKeyLabel, mosipServiceUrls } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { nextApiKeyLabel } from './api-key.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import { adminPms, authPartnerToken } from './mosip-session.js';

export interface IssuedNextApiKey {
  label: string;
  apiKeyFingerprint: string;
  /** The label it replaces (deactivated by deactivateApiKeys). */
  replaces: string;
}

export function apiKeyRotationActivities(deps: ActivityDeps) {
  return {
    /** `replaces`: the label of the key the run found; once the worker holds another, it was issued already. */
    async issueNextApiKey(spec: DeploymentSpec, replaces: string): Promise<IssuedNextApiKey> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const base = apiKeyLabel(spec);
        const stored = await deps.credentials.read(spec.deploymentId);
        const current = stored.apiKey;
        if (!current)
          throw blockingFailure(
            'ApiKeyLost',
            `the worker's credential store holds no API key for ${spec.deploymentId}`,
            {
              hint: 'onboard the deployment on this worker first (its credential store holds the key)',
            },
          );
        // Issued by an attempt whose answer reached the store, then lost on the way to the workflow.
        if (current.label !== replaces)
          return { label: current.label, apiKeyFingerprint: sha256Hex(current.value), replaces };
        const rotation = stored.apiKeyRotation?.from === replaces ? stored.apiKeyRotation : undefined;
        const from = replaces;
        let to = rotation?.to ?? nextApiKeyLabel(base, from);
        let askedBefore = rotation !== undefined;
        const pms = new PmsClient(
          mosipServiceUrls(spec.mosip).pms,
          await authPartnerToken(spec, secrets, deps.http),
          deps.http,
        );
        for (;;) {
          await deps.credentials.update(spec.deploymentId, (c) => ({ ...c, apiKeyRotation: { from, to } }));
          try {
            const issued = await pms.generateApiKey(spec.partners.auth.id, spec.partners.auth.policy, to);
            secrets.remember(issued.apiKey);
            await deps.credentials.update(spec.deploymentId, (c) => ({
              ...c,
              apiKey: { label: to, value: issued.apiKey, policyId: issued.policyId, requestedLabel: base },
              retiredApiKeys: [...(c.retiredApiKeys ?? []), { label: from, policyId: current.policyId }],
            }));
            return { label: to, apiKeyFingerprint: sha256Hex(issued.apiKey), replaces: from };
          } catch (err) {
            if (!isMosipCode(err, 'PMS_PRT_110')) throw err;
            if (!askedBefore)
              throw blockingFailure(
                'ApiKeyLost',
                `PMS already holds an API key labelled "${to}" for ${spec.partners.auth.id} that this worker never asked for`,
                {
                  system: 'pms',
                  code: 'PMS_PRT_110',
                  hint: 'set partners.auth.apiKeyLabel to a new label, then retry',
                },
              );
          }
          // Ours, its answer lost: unusable, so switched off before the next label is tried.
          await pms.setApiKeyStatus(spec.partners.auth.id, current.policyId, to, 'De-Active');
          to = nextApiKeyLabel(base, to);
          askedBefore = false;
        }
      });
    },

    /** Deactivates replaced keys (and with `current`, the deployment's own key too: offboarding). */
    async deactivateApiKeys(spec: DeploymentSpec, opts: { current: boolean }): Promise<string[]> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const stored = await deps.credentials.read(spec.deploymentId);
        const keys = [...(stored.retiredApiKeys ?? [])];
        if (opts.current && stored.apiKey) keys.push({ label: stored.apiKey.label, policyId: stored.apiKey.policyId });
        const pms = await adminPms(spec, secrets, deps.http);
        const done: string[] = [];
        for (const key of keys) {
          // Already De-Active is a success on PMS; an unknown label means there is nothing to switch off.
          await pms.setApiKeyStatus(spec.partners.auth.id, key.policyId, key.label, 'De-Active');
          done.push(key.label);
        }
        await deps.credentials.update(spec.deploymentId, ({ retiredApiKeys, apiKeyRotation: _r, ...c }) => {
          const left = (retiredApiKeys ?? []).filter((k) => !done.includes(k.label));
          return left.length ? { ...c, retiredApiKeys: left } : c;
        });
        return done;
      });
    },
  };
}
