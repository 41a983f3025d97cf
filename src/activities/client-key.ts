// The OIDC client's key pair. Kept in the worker's credential store per deployment, so a
// re-run registers the same key (and so adopts the same client) instead of a second one, and so
// the private half never enters history, not even encrypted: steps name it by thumbprint.
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { guarded, type ActivityDeps } from './context.js';
import { blockingFailure } from './failures.js';
import type { ClientKeyPair, GeneratedClientKey } from './types.js';

export async function newClientKey(): Promise<ClientKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  return {
    publicJwk: { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' },
    thumbprint,
    privateKeyPem: await exportPKCS8(privateKey),
  };
}

/** The private half of the deployment's client key, from the credential store; the thumbprint must match. */
export async function storedClientKey(
  deps: ActivityDeps,
  deploymentId: string,
  thumbprint: string,
): Promise<ClientKeyPair> {
  const key = (await deps.credentials.read(deploymentId)).clientKey;
  if (!key || key.thumbprint !== thumbprint) {
    throw blockingFailure(
      'ClientKeyConflict',
      `the worker's credential store holds no client key ${thumbprint} for ${deploymentId}${key ? ` (it holds ${key.thumbprint})` : ''}`,
      {
        hint: 'the run must use the worker that generated its key (the credential store is per worker): point the worker at that store, or abort and start again',
      },
    );
  }
  return key;
}

export function clientKeyActivities(deps: ActivityDeps) {
  return {
    /** RSA-2048 JWK pair, `kid` = RFC 7638 thumbprint; reused when this deployment already has one. */
    async generateClientKey(deploymentId: string): Promise<GeneratedClientKey> {
      return guarded(deps, async (secrets) => {
        let key = (await deps.credentials.read(deploymentId)).clientKey;
        if (!key) {
          const generated = await newClientKey();
          key = (await deps.credentials.update(deploymentId, (c) => ({ ...c, clientKey: c.clientKey ?? generated })))
            .clientKey!;
        }
        // Redaction must know it; it never leaves the worker: the run gets the public half only.
        secrets.remember(key.privateKeyPem);
        return { publicJwk: key.publicJwk, thumbprint: key.thumbprint };
      });
    },
  };
}
