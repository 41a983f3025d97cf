// Every way a run can block, in one catalogue: the failure type an activity reports and what
// ops should do about it by default. An activity that knows more gives its own hint; the
// workflow falls back to this one. Types not listed here are not blocking: they are retried.
export const BLOCKING_REASONS = {
  RemoteRejection:
    'fix the cause named by the remote error code (spec value or remote configuration), then `g2p-onboard retry`',
  ContractViolation:
    'the remote system answered in an unexpected shape: check the base URL and version in the spec, then `g2p-onboard retry`',
  PrerequisiteFailed: 'fix the failed checks listed above, then `g2p-onboard retry`',
  SecretUnavailable:
    "make the named secret reference resolvable on the worker (the worker policy's envPrefix, or the deployment's folder of its secretsDir), then `g2p-onboard retry`",
  SpecFileUnavailable:
    "put the named file in the deployment's folder of the worker policy's secretsDir, then `g2p-onboard retry`",
  TlsConfig: 'give the CA bundle (PEM) the spec names in tls.caFile, then `g2p-onboard retry`',
  EgressRefused:
    "the worker policy does not let this deployment reach that host: fix the spec's URL, or ask the worker's operator to allow the host, then `g2p-onboard retry`",
  CredentialStoreRefused:
    "the worker's credential store is not safe to write: fix its folder as the message says, then `g2p-onboard retry`",
  InvalidSpec: 'correct the spec value named, then `g2p-onboard retry --spec fixed.yaml`',
  OpenG2PConfig: 'create the named record in OpenG2P or fix the spec, then `g2p-onboard retry`',
  PolicyMissing: 'ask the Partner Admin to publish the policy, or fix partners.auth.policy, then `g2p-onboard retry`',
  ClaimsOutsidePolicy:
    'remove the named claims from oidcClient.claims, ask the Partner Admin to allow their attributes in the Auth policy, or set oidcClient.claimsOutsidePolicy: drop; then `g2p-onboard retry --spec fixed.yaml`',
  PartnerConflict: 'choose another partner id in the spec, then `g2p-onboard retry --spec fixed.yaml`',
  MappingMissing:
    'the policy mapping was removed on PMS: ask the Partner Admin, then `g2p-onboard retry` (or abort and start again)',
  CertificateMissing: 'upload the partner certificate on PMS (or fix the partner id), then `g2p-onboard retry`',
  LicenseMissing: 'ask the Partner Admin to issue the MISP license, then `g2p-onboard retry`',
  ApiKeyLost:
    'deactivate the named API key in PMS and set partners.auth.apiKeyLabel to a new label, then `g2p-onboard retry --spec fixed.yaml`',
  ClientKeyConflict: 'rotate the client key (or remove the other client), then `g2p-onboard retry`',
  VerificationFailed: 'inspect the named records, fix them (or the spec), then `g2p-onboard retry`',
  RedirectUriStale:
    "e-Signet's client does not have exactly the redirect URIs OpenG2P needs (one missing, or an old one still registered): `g2p-onboard retry <id>` registers the client's redirect URIs again (with `--spec fixed.yaml`, a corrected openg2p.url and every step it changes)",
  ConsistencyDrift:
    'a system no longer agrees with the deployment (see the named checks; `g2p-onboard check <id>` shows them all): fix the named records, then `g2p-onboard retry`',
  LoginIncompatible:
    'this OpenG2P cannot complete a login through this e-Signet (README, "Login compatibility"): apply the fix named, or set openg2p.loginCompatibility: warn if its OIDC module was patched beyond the released versions; then `g2p-onboard retry` (with `--spec` for a spec change)',
  LoginBudgetSpent:
    'the login check used every one-time password verification.maxOtps allows: fix the cause named, then `g2p-onboard retry --spec fixed.yaml` with a higher verification.maxOtps (or without verification)',
} as const;

export type BlockingReason = keyof typeof BLOCKING_REASONS;

export function isBlockingReason(type: string): type is BlockingReason {
  return Object.hasOwn(BLOCKING_REASONS, type);
}
