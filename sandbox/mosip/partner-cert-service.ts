// keymanager's partner certificate service (partnercertservice, keymanager 1.2.0.x), which
// PMS forwards CA and partner certificate uploads to: the same checks in the same order,
// with real X.509 parsing, chain building and signature verification.
import { randomUUID } from 'node:crypto';
import { certificateVersion, organisationOf, toPem, x509 } from '../../src/security/x509.js';
import { fail } from './envelope.js';
import type { MosipPki } from './pki.js';
import type { CaCertificateRecord, MosipState } from './state.js';

/** `mosip.kernel.partner.allowed.domains` */
const ALLOWED_DOMAINS = ['AUTH', 'DEVICE', 'FTM'];

function parseCertificate(data: string): x509.X509Certificate {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(data)?.[0];
  try {
    if (!pem) throw new Error('no PEM block');
    return new x509.X509Certificate(pem);
  } catch {
    fail('KER-PCM-001', 'Invalid Certificate uploaded.');
  }
}

function validDomain(partnerDomain: string): string {
  const domain = ALLOWED_DOMAINS.find((d) => d.toLowerCase() === partnerDomain.toLowerCase());
  if (!domain) fail('KER-PCM-011', 'Invalid Partner Domain.');
  return domain;
}

const datesValid = (cert: x509.X509Certificate, now = new Date()): boolean =>
  cert.notBefore <= now && now <= cert.notAfter;

async function thumbprint(cert: x509.X509Certificate): Promise<string> {
  return Buffer.from(await cert.getThumbprint('SHA-1')).toString('hex');
}

async function signedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  return cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
}

/** PKIX path from the certificate to a self-signed CA of the domain, or undefined (trust anchors: uploaded roots). */
async function trustPath(
  state: MosipState,
  cert: x509.X509Certificate,
  domain: string,
): Promise<CaCertificateRecord[] | undefined> {
  const cas = state.caCertificates.filter((c) => c.partnerDomain === domain);
  const path: CaCertificateRecord[] = [];
  let current = cert;
  for (let depth = 0; depth < 10; depth++) {
    let issuer: CaCertificateRecord | undefined;
    for (const ca of cas) {
      if (!path.includes(ca) && (await signedBy(current, ca.certificate))) {
        issuer = ca;
        break;
      }
    }
    if (!issuer || !datesValid(issuer.certificate)) return undefined;
    path.push(issuer);
    if (await issuer.certificate.isSelfSigned()) return path;
    current = issuer.certificate;
  }
  return undefined;
}

/** `/uploadCACertificate` for one certificate: roots are trusted as given, intermediates need their root. */
export async function uploadCaCertificate(
  state: MosipState,
  certificateData: string,
  partnerDomain: string,
): Promise<{ status: string; timestamp: string }> {
  const cert = parseCertificate(certificateData);
  const domain = validDomain(partnerDomain);
  const print = await thumbprint(cert);
  if (state.caCertificates.some((c) => c.thumbprint === print && c.partnerDomain === domain)) {
    fail('KER-PCM-003', 'Certificate already exists in store.');
  }
  if (!datesValid(cert)) fail('KER-PCM-004', 'Certificate Dates are not valid.');
  if (!(await cert.isSelfSigned()) && !(await trustPath(state, cert, domain)))
    fail('KER-PCM-005', 'Root CA Certificate not found.');
  state.caCertificates.push({ certId: randomUUID(), thumbprint: print, partnerDomain: domain, certificate: cert });
  return { status: 'Upload Success.', timestamp: new Date().toISOString() };
}

export interface PartnerCertificateUpload {
  partnerId: string;
  organizationName: string;
  certificateData: string;
  partnerDomain: string;
}

/** `/uploadPartnerCertificate`: validates, re-signs with the PMS key and stores; returns the MOSIP-signed leaf. */
export async function uploadPartnerCertificate(
  state: MosipState,
  pki: MosipPki,
  upload: PartnerCertificateUpload,
): Promise<{ certificateId: string; signedCertificateData: string; timestamp: string }> {
  const cert = parseCertificate(upload.certificateData);
  const print = await thumbprint(cert);
  const domain = validDomain(upload.partnerDomain);
  // Re-uploading the same certificate is allowed (renewal), so no KER-PCM-003 here.
  if (!datesValid(cert)) fail('KER-PCM-004', 'Certificate Dates are not valid.');
  if (await cert.isSelfSigned()) fail('KER-PCM-015', 'Self Signed Certificate not allowed as partner.');
  if (!(await trustPath(state, cert, domain))) fail('KER-PCM-006', 'Root CA/Intermediate CA Certificates not found.');
  if (certificateVersion(cert) !== 3) fail('KER-PCM-007', 'Certificate version not supported.');
  if (organisationOf(cert.subjectName) !== upload.organizationName)
    fail('KER-PCM-008', 'Partner Organization Name not Matched.');
  const key = cert.publicKey.algorithm as RsaHashedKeyAlgorithm;
  if (key.name.startsWith('RSA') && key.modulusLength < 2048) {
    fail('KER-PCM-013', 'Partner Certificate Key Size is less than allowed size.');
  }
  // Java's getSigAlgName() must start with "SHA2": SHA224/SHA256 pass, SHA384/SHA512 do not.
  const hash = (cert.signatureAlgorithm as { hash?: { name?: string } }).hash?.name ?? '';
  if (hash !== 'SHA-256' && hash !== 'SHA-224')
    fail('KER-PCM-014', 'Partner Certificate Signature algorithm not supported.');
  const signed = await pki.resign(cert);
  const certificateId = randomUUID();
  const signedCertificatePem = toPem(signed);
  state.partnerCertificates.set(certificateId, {
    certId: certificateId,
    partnerId: upload.partnerId,
    organizationName: upload.organizationName,
    partnerDomain: domain,
    thumbprint: print,
    signedCertificatePem,
  });
  return { certificateId, signedCertificateData: signedCertificatePem, timestamp: new Date().toISOString() };
}

/** `/getPartnerCertificate/{partnerCertId}` */
export function partnerCertificate(state: MosipState, certificateId: string): string {
  if (!certificateId.trim()) fail('KER-PCM-010', 'Invalid Partner Certificate ID.');
  const record = state.partnerCertificates.get(certificateId);
  if (!record) fail('KER-PCM-012', 'Partner Certificate not found for the given ID.');
  return record.signedCertificatePem;
}
