// All activities the worker registers, built from the worker's dependencies. Workflows
// import only the type `OnboardingActivities`.
import type { ActivityDeps } from './context.js';
import { admissionActivities } from './admission.js';
import { clientKeyActivities } from './client-key.js';
import { esignetActivities } from './esignet.js';
import { openg2pActivities } from './openg2p.js';
import { partnerActivities } from './partners.js';
import { policyMappingActivities } from './policy-mapping.js';
import { mispLicenseActivities } from './misp-license.js';
import { credentialActivities } from './credentials.js';
import { prerequisiteActivities } from './prerequisites.js';
import { verificationActivities } from './verification.js';
import { notificationActivities } from './notifications.js';
import { consistencyActivities } from './consistency.js';
import { planActivities } from './plan.js';
import { driftWatchActivities } from './drift-watch.js';
import { deploymentInspectionActivities } from './deployment-inspection.js';
import { oidcClientStatusActivities } from './oidc-client-status.js';
import { openg2pProviderStateActivities } from './openg2p-provider-state.js';
import { nextClientKeyActivities } from './next-client-key.js';
import { apiKeyRotationActivities } from './api-key-rotation.js';
import { mispLicenseStatusActivities } from './misp-license-status.js';
import { partnerStatusActivities } from './partner-status.js';
import { oidcClientUpdateActivities } from './oidc-client-update.js';
import { partnerCertificateRenewalActivities } from './partner-certificate-renewal.js';
import { deploymentOffCheckActivities } from './deployment-off-check.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...admissionActivities(deps),
    ...prerequisiteActivities(deps),
    ...partnerActivities(deps),
    ...policyMappingActivities(deps),
    ...mispLicenseActivities(deps),
    ...credentialActivities(deps),
    ...clientKeyActivities(deps),
    ...esignetActivities(deps),
    ...openg2pActivities(deps),
    ...verificationActivities(deps),
    ...notificationActivities(deps),
    ...consistencyActivities(deps),
    ...planActivities(deps),
    ...driftWatchActivities(deps),
    // Day-two operations (src/workflows/lifecycle/).
    ...deploymentInspectionActivities(deps),
    ...oidcClientStatusActivities(deps),
    ...openg2pProviderStateActivities(deps),
    ...nextClientKeyActivities(deps),
    ...apiKeyRotationActivities(deps),
    ...mispLicenseStatusActivities(deps),
    ...partnerStatusActivities(deps),
    ...oidcClientUpdateActivities(deps),
    ...partnerCertificateRenewalActivities(deps),
    ...deploymentOffCheckActivities(deps),
  };
}

export type OnboardingActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './context.js';
