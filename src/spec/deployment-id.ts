// A deployment id names a workflow, a credential-store file and a secrets folder, so every place
// that turns one into a path checks it against this one rule (the spec's own).
export const DEPLOYMENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function isDeploymentId(value: string): boolean {
  return DEPLOYMENT_ID_PATTERN.test(value);
}
