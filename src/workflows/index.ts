// Every workflow the worker registers.
export { onboardDeployment } from './onboarding.js';
export { checkDeploymentConsistency } from './checks.js';
export { planDeploymentChanges } from './plan.js';
export { changeDriftWatch } from './drift-watch-control.js';
// Day-two operations, one at a time per deployment (lifecycleWorkflowId).
export { offboardDeployment } from './lifecycle/offboard.js';
export { rotateClientKey } from './lifecycle/rotate-key.js';
export { rotateCredentials } from './lifecycle/rotate-credentials.js';
export { updateDeployment } from './lifecycle/update.js';
export { renewCertificates } from './lifecycle/renew-certificates.js';
