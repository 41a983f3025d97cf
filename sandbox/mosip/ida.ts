// IDA's internal API `GET /idauthentication/v1/internal/getCertificate` (id-authentication's
// internal service, KeymanagerController: its own keymanager over IDA's database): where a
// running 1.2.0.1 deployment serves the IDA partner certificate (`IDA`/`PARTNER`) relying
// parties are given, and where MOSIP's onboarding tooling reads it. Same `@ResponseFilter`
// envelope as keymanager, token from the `Authorization` cookie.
import type { Realm } from '../realm.js';
import type { Route } from '../router.js';
import { authenticate, hasAnyRole } from './auth.js';
import { forbidden, kernelError, kernelSuccess, responseTime, unauthenticated } from './envelope.js';
import type { MosipPki } from './pki.js';
import { keyStoreKey, type MosipState } from './state.js';

/** `@PreAuthorize` of IDA's internal getCertificate. */
const GET_CERTIFICATE_ROLES = [
  'INDIVIDUAL',
  'REGISTRATION_PROCESSOR',
  'REGISTRATION_ADMIN',
  'REGISTRATION_SUPERVISOR',
  'REGISTRATION_OFFICER',
  'ID_AUTHENTICATION',
  'TEST',
  'PRE_REGISTRATION_ADMIN',
  'RESIDENT',
];

/** IDA's key policy knows only its own application id. */
const IDA_APPLICATION = 'IDA';

export const IDA_INTERNAL_PATH = '/idauthentication/v1/internal';

export function idaRoutes(realm: Realm, state: MosipState, pki: Promise<MosipPki>): Route[] {
  return [
    {
      method: 'GET',
      path: `${IDA_INTERNAL_PATH}/getCertificate`,
      handler: async (req) => {
        const caller = await authenticate(realm, req);
        if (!caller) return unauthenticated(req);
        if (!hasAnyRole(caller, GET_CERTIFICATE_ROLES)) return forbidden();
        await pki;
        const applicationId = req.query.get('applicationId');
        const referenceId = req.query.get('referenceId')?.trim() ?? '';
        if (applicationId === null)
          return kernelError(null, 'KER-KMS-005', "Required String parameter 'applicationId' is not present");
        if (applicationId !== IDA_APPLICATION) {
          return kernelError(
            null,
            'KER-KMS-002',
            'ApplicationId not found in Key Policy. Key/CSR generation not allowed.',
          );
        }
        const entry = state.keyStore.get(keyStoreKey(applicationId, referenceId));
        if (!entry) return kernelError(null, 'KER-KMS-012', 'Key Generation Process is not completed.');
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
