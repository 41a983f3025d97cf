// TLS for the spec's systems: certificates are always verified; a spec on a private MOSIP PKI
// names a CA bundle (`tls.caFile`) that the worker reads from the deployment's secrets folder,
// confined like a `file:` reference, and trusts in addition to the public roots.
import type { HttpOptions } from '../clients/http.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { ConfinedFileError, readConfinedFile, type SpecSecretSource } from '../security/secrets.js';
import { blockingFailure } from './failures.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A CA bundle or a partner certificate: a few KB each; a full public-roots bundle is ~200 KB. */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/**
 * A PEM file the spec names (a CA bundle, a partner certificate), read inside the deployment's
 * secrets folder; `field` is the spec path, for the message.
 */
export async function readSpecPemFile(
  source: SpecSecretSource,
  field: string,
  path: string,
  failureType: 'SpecFileUnavailable' | 'TlsConfig' = 'SpecFileUnavailable',
): Promise<string> {
  try {
    return await readConfinedFile(source, path, MAX_PEM_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof ConfinedFileError)) throw err;
    throw blockingFailure(failureType, `spec ${field}: ${path} cannot be read: ${err.message}`, {
      hint: `put the file in the deployment's folder of the worker's secrets folder (worker policy secretsDir) and name it relative to that folder, then retry`,
    });
  }
}

/** The worker's HTTP options for this spec: `base` plus the spec's CA bundle, if it names one. */
export async function specHttpOptions(
  spec: DeploymentSpec,
  source: SpecSecretSource,
  base: HttpOptions = {},
): Promise<HttpOptions> {
  const caFile = spec.tls?.caFile;
  if (!caFile) return base;
  const text = await readSpecPemFile(source, 'tls.caFile', caFile, 'TlsConfig');
  const certificates = text.match(PEM_CERTIFICATE);
  if (!certificates) {
    throw blockingFailure(
      'TlsConfig',
      `spec tls.caFile: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      {
        hint: 'give the CA bundle in PEM form, then retry',
      },
    );
  }
  return { ...base, ca: certificates.join('\n') };
}
