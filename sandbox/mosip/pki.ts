// The sandbox MOSIP's own keys: a root CA (keymanager `ROOT`), the PMS key that re-signs
// partner certificates, and IDA's keys whose `IDA`/`PARTNER` certificate relying parties
// fetch (from IDA's internal API: the central keymanager has no IDA key policy). Generated at start; nothing is fixed in code.
import { RSA_SHA256, generateRsaKeys, randomSerial, toPem, x509 } from '../../src/security/x509.js';
import { keyStoreKey, type MosipState } from './state.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface IssuedKey {
  keys: CryptoKeyPair;
  certificate: x509.X509Certificate;
}

export interface MosipPki {
  root: IssuedKey;
  /** keymanager's master sign key (`masterSignKeyAppId`, PMS) that re-signs partner certificates. */
  pms: IssuedKey;
  /**
   * Re-signs an uploaded partner certificate with the PMS key, keeping its subject and public key;
   * `notAfter` shortens it (the drift control's "certificate nearing expiry").
   */
  resign(partnerCertificate: x509.X509Certificate, notAfter?: Date): Promise<x509.X509Certificate>;
}

async function issue(subject: string, issuer: IssuedKey | 'self', ca: boolean, years: number): Promise<IssuedKey> {
  const keys = await generateRsaKeys();
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + years * YEAR_MS);
  const extensions = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(
      ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const certificate =
    issuer === 'self'
      ? await x509.X509CertificateGenerator.createSelfSigned({
          serialNumber: randomSerial(),
          name: subject,
          notBefore,
          notAfter,
          keys,
          signingAlgorithm: RSA_SHA256,
          extensions,
        })
      : await x509.X509CertificateGenerator.create({
          serialNumber: randomSerial(),
          subject,
          issuer: issuer.certificate.subject,
          notBefore,
          notAfter: new Date(Math.min(notAfter.getTime(), issuer.certificate.notAfter.getTime())),
          publicKey: keys.publicKey,
          signingKey: issuer.keys.privateKey,
          signingAlgorithm: RSA_SHA256,
          extensions,
        });
  return { keys, certificate };
}

function store(state: MosipState, applicationId: string, referenceId: string, certificate: x509.X509Certificate): void {
  state.keyStore.set(keyStoreKey(applicationId, referenceId), {
    certificatePem: toPem(certificate),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  });
}

export async function createMosipPki(state: MosipState): Promise<MosipPki> {
  const org = 'O=MOSIP Sandbox, OU=MOSIP-TECH-CENTER, L=BANGALORE, ST=KA, C=IN';
  const root = await issue(`CN=www.mosip.io, ${org}`, 'self', true, 5);
  const pms = await issue(`CN=PMS, ${org}`, root, true, 3);
  const ida = await issue(`CN=IDA, ${org}`, root, true, 3);
  const idaPartner = await issue(`CN=IDA-PARTNER, ${org}`, ida, false, 1);
  store(state, 'ROOT', '', root.certificate);
  store(state, 'PMS', '', pms.certificate);
  store(state, 'IDA', '', ida.certificate);
  store(state, 'IDA', 'PARTNER', idaPartner.certificate);
  return {
    root,
    pms,
    resign: async (partnerCertificate, notAfter) =>
      x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: partnerCertificate.subject,
        issuer: pms.certificate.subject,
        notBefore: partnerCertificate.notBefore,
        notAfter: new Date(
          Math.min(
            notAfter?.getTime() ?? Infinity,
            partnerCertificate.notAfter.getTime(),
            pms.certificate.notAfter.getTime(),
          ),
        ),
        publicKey: partnerCertificate.publicKey,
        signingKey: pms.keys.privateKey,
        signingAlgorithm: RSA_SHA256,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          await x509.AuthorityKeyIdentifierExtension.create(pms.keys.publicKey),
        ],
      }),
  };
}
