// Every workflow the worker registers.
export { onboardDeployment } from './onboarding.js';
export { checkDeploymentConsistency } from './checks.js';
export { planDeploymentChanges } from './plan.js';
export { changeDriftWatch } from './drift-watch-control.js';
