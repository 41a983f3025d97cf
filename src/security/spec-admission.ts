// What a spec asks for that the worker will refuse, found without running anything: `validate`
// shows it to the spec's author, and the worker can check it at the start of every run. Pure:
// no file, network or environment access, so both sides get the same answer for the same input.
import { isIP } from 'node:net';
import { hostRefusal, isNonPublicAddress, schemeRefusal, type EgressRules } from '../clients/egress.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { filePathRefusal } from './secrets.js';
import { egressFor, envNameRefusal, type WorkerPolicy } from './worker-policy.js';

export interface SpecRefusal {
  /** Dotted path inside the spec, e.g. `mosip.clientSecret`. */
  path: string;
  message: string;
}

type Json = unknown;

/** Every string leaf with its dotted path (arrays as `[i]`). */
function* leaves(value: Json, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* leaves(v, `${path}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* leaves(v, path ? `${path}.${k}` : k);
}

/** Fields the worker reads as files of the deployment's secrets folder, besides `file:` references. */
function specFiles(spec: DeploymentSpec): [string, string | undefined][] {
  return [
    ['tls.caFile', spec.tls?.caFile],
    ['partners.auth.certificate.caCertificateFile', spec.partners.auth.certificate?.caCertificateFile],
    ['partners.auth.certificate.certificateFile', spec.partners.auth.certificate?.certificateFile],
    ['partners.misp.certificate.caCertificateFile', spec.partners.misp.certificate?.caCertificateFile],
    ['partners.misp.certificate.certificateFile', spec.partners.misp.certificate?.certificateFile],
  ];
}

/** Every URL the worker sends requests to (discovery's endpoints come later, and are checked when used). */
function specUrls(spec: DeploymentSpec): [string, string | undefined][] {
  return [
    ['mosip.apiBaseUrl', spec.mosip.apiBaseUrl],
    ['mosip.authmanagerUrl', spec.mosip.authmanagerUrl],
    ['mosip.pmsUrl', spec.mosip.pmsUrl],
    ['mosip.keymanagerUrl', spec.mosip.keymanagerUrl],
    ['mosip.idaUrl', spec.mosip.idaUrl],
    ['esignet.baseUrl', spec.esignet.baseUrl],
    ['esignet.clientManagement.tokenUrl', spec.esignet.clientManagement?.tokenUrl],
    ['openg2p.url', spec.openg2p.url],
    ['approval.webhookUrl', spec.approval.webhookUrl],
  ];
}

/**
 * What the worker would refuse in `spec`. Without a policy, what no policy allows: absolute or
 * `..` file paths, the worker's own variables (TEMPORAL_*, G2P_ONBOARD_*), plain http off loopback.
 * With one, also variables outside its prefix and hosts or literal addresses it does not allow
 * this deployment (addresses behind names need DNS: the worker checks those as it connects).
 */
export function specRefusals(
  spec: DeploymentSpec,
  policy?: Pick<WorkerPolicy, 'source' | 'envPrefix' | 'deployments'>,
): SpecRefusal[] {
  const refusals: SpecRefusal[] = [];
  for (const [path, value] of leaves(spec, '')) {
    if (value.startsWith('env:')) {
      const reason = envNameRefusal(value.slice(4), policy?.envPrefix ?? '');
      if (reason) refusals.push({ path, message: `${value}: ${reason}` });
    } else if (value.startsWith('file:')) {
      const reason = filePathRefusal(value.slice(5));
      if (reason) refusals.push({ path, message: `${value}: ${reason}` });
    }
  }
  for (const [path, file] of specFiles(spec)) {
    const reason = file === undefined ? undefined : filePathRefusal(file);
    if (reason) refusals.push({ path, message: `${file}: ${reason}` });
  }

  const rule = policy && egressFor(policy, spec.deploymentId);
  if (policy && !rule) {
    refusals.push({
      path: 'deploymentId',
      message: `the worker policy ${policy.source} has no deployments entry matching ${spec.deploymentId}: its runs may reach no host`,
    });
  }
  const rules: EgressRules | undefined = rule && {
    ...rule,
    origin: `deployment ${spec.deploymentId} in the worker policy ${policy!.source}`,
  };
  for (const [path, value] of specUrls(spec)) {
    if (value === undefined || !URL.canParse(value)) continue;
    const url = new URL(value);
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const refusal = schemeRefusal(url) ?? (rules && hostRefusal(rules, url)?.in(rules.origin));
    if (refusal) refusals.push({ path, message: `${refusal.message}: ${refusal.hint}` });
    else if (rules && !rules.privateNetworks && isIP(hostname) && isNonPublicAddress(hostname)) {
      refusals.push({
        path,
        message: `${hostname} is a loopback, private or link-local address: set privateNetworks: true for ${rules.origin} if it really is on your private network`,
      });
    }
  }
  return refusals;
}
