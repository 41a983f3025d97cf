// The OIDC client's key pair. Kept in the worker's credential store per deployment, so a
// re-run registers the same key (and so adopts the same client) instead of a second one.
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { guarded, type ActivityDeps } from './context.js';
import type { GeneratedClientKey } from './types.js';

export async function newClientKey(): Promise<GeneratedClientKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  return {
    publicJwk: { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' },
    thumbprint,
    privateKeyPem: await exportPKCS8(privateKey),
  };
}

export function clientKeyActivities(deps: ActivityDeps) {
  return {
    /** RSA-2048 JWK pair, `kid` = RFC 7638 thumbprint; reused when this deployment already has one. */
    async generateClientKey(deploymentId: string): Promise<GeneratedClientKey> {
      return guarded(deps, async (secrets) => {
        let key = (await deps.credentials.read(deploymentId)).clientKey;
        if (!key) {
          const generated = await newClientKey();
          key = (await deps.credentials.update(deploymentId, (c) => ({ ...c, clientKey: c.clientKey ?? generated }))).clientKey!;
        }
        // It leaves the worker only as this (codec-encrypted) result: redaction must know it.
        secrets.remember(key.privateKeyPem);
        return key;
      });
    },
  };
}
