// In-memory stores of the MOSIP stand-in, shaped after the PMS and keymanager tables the
// behaviour depends on (partner, policy group, auth policy, partner_policy_request,
// partner_policy, misp_license, ca_cert_store, partner_cert_store, key store).
import type { x509 } from '../../src/security/x509.js';

export interface PartnerTypeRecord {
  code: string;
  isPolicyRequired: boolean;
}

export interface PartnerRecord {
  partnerId: string;
  organizationName: string;
  address: string;
  contactNumber: string;
  emailId: string;
  partnerTypeCode: string;
  policyGroupId: string | null;
  langCode: string;
  isActive: boolean;
  /** `InProgress` until a partner certificate is uploaded, then `approved`. */
  approvalStatus: 'InProgress' | 'approved';
  /** keymanager id of the uploaded partner certificate (PMS `certificate_alias`). */
  certificateAlias?: string;
  createdBy: string;
  createdAt: Date;
}

export interface PolicyGroupRecord {
  id: string;
  name: string;
  desc: string;
  isActive: boolean;
}

export interface PolicyRecord {
  id: string;
  name: string;
  desc: string;
  policyGroupId: string;
  policyType: 'Auth' | 'DataShare' | 'CredentialIssuance';
  version: string;
  /** Only published policies are active. */
  isActive: boolean;
  status: 'DRAFTED' | 'PUBLISHED';
  validTill: Date;
  policies: Record<string, unknown>;
}

export type MappingStatusCode = 'InProgress' | 'approved' | 'rejected';

export interface MappingRecord {
  mappingKey: string;
  partnerId: string;
  policyId: string;
  statusCode: MappingStatusCode;
  requestDetail: string;
  createdBy: string;
  createdAt: Date;
  updatedBy?: string;
  updatedAt?: Date;
}

export interface ApiKeyRecord {
  apiKey: string;
  partnerId: string;
  policyId: string;
  label: string;
  isActive: boolean;
  validFrom: Date;
  validTo: Date;
}

export interface MispLicenseRecord {
  mispId: string;
  licenseKey: string;
  policyId: string | null;
  isActive: boolean;
  validFrom: Date;
  validTo: Date;
}

export interface CaCertificateRecord {
  certId: string;
  thumbprint: string;
  partnerDomain: string;
  certificate: x509.X509Certificate;
}

export interface PartnerCertificateRecord {
  certId: string;
  partnerId: string;
  organizationName: string;
  partnerDomain: string;
  thumbprint: string;
  /** The MOSIP-signed leaf, PEM. */
  signedCertificatePem: string;
}

export interface KeyStoreEntry {
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
}

export interface MosipState {
  partnerTypes: PartnerTypeRecord[];
  partners: Map<string, PartnerRecord>;
  policyGroups: Map<string, PolicyGroupRecord>;
  policies: Map<string, PolicyRecord>;
  mappings: Map<string, MappingRecord>;
  apiKeys: ApiKeyRecord[];
  mispLicenses: MispLicenseRecord[];
  caCertificates: CaCertificateRecord[];
  partnerCertificates: Map<string, PartnerCertificateRecord>;
  /** keymanager certificates by `<applicationId>|<referenceId>` (referenceId '' for the app's own key). */
  keyStore: Map<string, KeyStoreEntry>;
  /** How many times each record was created; see MosipSandbox.counts(). */
  created: {
    partners: Record<string, number>;
    policyMappings: Record<string, number>;
    apiKeys: Record<string, number>;
    mispLicenses: Record<string, number>;
  };
}

export function keyStoreKey(applicationId: string, referenceId = ''): string {
  return `${applicationId}|${referenceId}`;
}

export function countCreation(counter: Record<string, number>, key: string): void {
  counter[key] = (counter[key] ?? 0) + 1;
}

/** PMS ids (partner policy request ids, API keys): a random integer below 1,000,000, as `PartnerUtil` makes them. */
export function pmsNumericId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = String(Math.floor(Math.random() * 1_000_000));
    if (!taken(id)) return id;
  }
}

/** An API key as the running 1.2.0.1 PMS issues it: a 6-digit number string. */
export function pmsSixDigitId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = String(100_000 + Math.floor(Math.random() * 900_000));
    if (!taken(id)) return id;
  }
}
