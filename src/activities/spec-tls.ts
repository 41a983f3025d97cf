// TLS for the spec's systems: certificates are always verified; a spec on a private MOSIP PKI
// names a CA bundle (`tls.caFile`) that the worker reads from its own disk, relative to its
// secrets folder like a `file:` reference, and trusts in addition to the public roots.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { HttpOptions } from '../clients/http.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { SecretSource } from '../security/secrets.js';
import { blockingFailure } from './failures.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The worker's HTTP options for this spec: `base` plus the spec's CA bundle, if it names one. */
export async function specHttpOptions(spec: DeploymentSpec, source: SecretSource, base: HttpOptions = {}): Promise<HttpOptions> {
  const caFile = spec.tls?.caFile;
  if (!caFile) return base;
  const full = isAbsolute(caFile) ? caFile : resolve(source.baseDir, caFile);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw blockingFailure('TlsConfig', `spec tls.caFile: ${caFile} cannot be read on the worker (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: `put the CA bundle at ${full} on the worker (relative paths start at its secrets folder), or fix tls.caFile, then retry`,
    });
  }
  const certificates = text.match(PEM_CERTIFICATE);
  if (!certificates) {
    throw blockingFailure('TlsConfig', `spec tls.caFile: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
      hint: 'give the CA bundle in PEM form, then retry',
    });
  }
  return { ...base, ca: certificates.join('\n') };
}
