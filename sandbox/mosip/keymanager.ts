// keymanager `GET /v1/keymanager/getCertificate` (KeymanagerController, keymanager 1.2.0.x):
// ROOT and PMS from the sandbox PKI, PARTNER/<partnerId> as PMS stored them. Like a running
// 1.2.0.1 keymanager it has no IDA key policy (IDA keeps its keys in its own database): IDA's
// certificates come from IDA's internal API (ida.ts), here `IDA` answers KER-KMS-002.
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { ROLES, authenticate, hasAnyRole } from './auth.js';
import { forbidden, kernelError, kernelSuccess, responseTime, unauthenticated } from './envelope.js';
import type { MosipPki } from './pki.js';
import { keyStoreKey, type MosipState } from './state.js';

/** Application ids with a key policy in the central keymanager (seed `keymgr-key_policy_def.csv` has no IDA row); PARTNER holds other-domain certificates only. */
const KEY_POLICIES = new Set(['ROOT', 'PMS', 'PARTNER']);

export function keymanagerRoutes(realm: Realm, state: MosipState, pki: Promise<MosipPki>): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/keymanager/getCertificate',
      handler: async (req) => {
        const caller = await authenticate(realm, req);
        if (!caller) return unauthenticated(req);
        if (!hasAnyRole(caller, ROLES.getCertificate)) return forbidden();
        await pki;
        const applicationId = req.query.get('applicationId');
        const referenceId = req.query.get('referenceId')?.trim() ?? '';
        if (applicationId === null) {
          return kernelError(null, 'KER-KMS-005', "Required String parameter 'applicationId' is not present");
        }
        if (!KEY_POLICIES.has(applicationId)) {
          return kernelError(
            null,
            'KER-KMS-002',
            'ApplicationId not found in Key Policy. Key/CSR generation not allowed.',
          );
        }
        const entry = state.keyStore.get(keyStoreKey(applicationId, referenceId));
        if (!entry) {
          // Unknown references would make keymanager generate a key; for other-domain ids it refuses (inferred).
          return applicationId === 'PARTNER'
            ? kernelError(
                null,
                'KER-KMS-016',
                'Not allowed to generate new key pair for other domains or not allowed to generate base key.',
              )
            : kernelError(null, 'KER-KMS-012', 'Key Generation Process is not completed.');
        }
        return kernelSuccess(null, {
          certificate: entry.certificatePem,
          certSignRequest: null,
          issuedAt: responseTime(entry.notBefore),
          expiryAt: responseTime(entry.notAfter),
          timestamp: responseTime(),
        });
      },
    },
  ];
}
