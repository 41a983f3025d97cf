// What each activity takes and returns. Workflows import these types only; results carry
// ids, public keys and fingerprints, never secret values: key material the product creates
// stays in the worker's credential store and is named by its thumbprint.
import type { DeploymentSpec } from '../spec/schema.js';

export interface PrerequisiteCheck {
  name: string;
  ok: boolean;
  /** What was observed, e.g. `discovery advertises private_key_jwt`. */
  evidence: string;
  /** Passed, but with a caveat ops should read (e.g. a compatibility judged on inferred evidence). */
  warning?: boolean;
}

export interface PrerequisiteReport {
  checks: PrerequisiteCheck[];
  /** Endpoints e-Signet advertises; the OpenG2P step writes these, not values guessed from URLs. */
  endpoints: EsignetEndpoints;
  /** OpenG2P generation found: 15 = OpenG2P 1.x (Odoo 15), 17 = OpenG2P 1.2+. */
  openg2pGeneration: 15 | 17;
  /** The e-Signet release judged by (detected, or the spec's where the server only narrows it down). */
  esignetVersion?: string;
}

export interface EsignetEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  jwksUri: string;
}

export interface PartnerResult {
  partnerId: string;
  /** Whether this run created the partner or found it already registered. */
  created: boolean;
  certificateId?: string;
  /** SHA-256 fingerprint (hex) of the MOSIP-signed partner certificate, over its DER bytes. */
  signedCertificateFingerprint: string;
  /** When the MOSIP-signed certificate is valid (absent in results of runs before 0.2). */
  signedCertificateValidity?: { notBefore: string; notAfter: string };
}

export interface MappingResult {
  mappingKey: string;
  status: 'InProgress' | 'approved' | 'rejected';
  created: boolean;
}

export interface LicenseResult {
  mispPartnerId: string;
  licenseKeyFingerprint: string;
  licenseKeyExpiry?: string;
  created: boolean;
}

export interface CredentialsResult {
  apiKeyFingerprint: string;
  /** The label the key was issued under: the spec's, or `<label>-rN` when an earlier key's answer was lost. */
  apiKeyLabel?: string;
  /** Keys PMS issued whose answer never arrived, deactivated so that no unusable key stays active. */
  deactivatedApiKeyLabels?: string[];
  mispLicenseFingerprint: string;
  /** Certificate fingerprints: SHA-256 hex over the DER bytes (the PEM text's wrapping does not change them). */
  signedPartnerCertificateFingerprint: string;
  idaCertificateFingerprint: string;
  /** Where the worker stored the credential bundle (owner-only file), for the operator. */
  storedAt: string;
}

/** The OIDC client's key as the run knows it: the public half and its thumbprint. */
export interface GeneratedClientKey {
  publicJwk: Record<string, unknown>;
  /** RFC 7638 thumbprint; also the JWK's `kid`. The private half is in the credential store under it. */
  thumbprint: string;
}

/** The key pair as the credential store keeps it (never in history). */
export interface ClientKeyPair extends GeneratedClientKey {
  /** PKCS#8 PEM: OpenG2P's `client_private_key` field wants the key file's bytes. */
  privateKeyPem: string;
}

export interface OidcClientResult {
  clientId: string;
  status: string;
  /** True when a client with the same key already existed and was taken over instead of created. */
  adopted: boolean;
  /** Which API registered it: the PMS OIDC API or e-Signet's client management. */
  via?: 'pms' | 'esignet';
}

export interface OpenG2PResult {
  providerId: number;
  providerName: string;
  generation: 15 | 17;
  created: boolean;
}

export interface VerificationReport {
  checks: PrerequisiteCheck[];
}

/** PMS's decision on the policy mapping, once it has one. */
export interface MappingDecision {
  status: 'approved' | 'rejected';
}

export type Spec = DeploymentSpec;

/** An onboarded deployment as a day-two operation finds it (ids and fingerprints only). */
export interface DeploymentInspection {
  /** When offboardDeployment finished, if it has. */
  offboardedAt?: string;
  oidcClientId?: string;
  oidcClientVia?: 'pms' | 'esignet';
  clientKeyThumbprint?: string;
  /** A key rotation a killed run left half way (its key, its client). */
  nextClientKeyThumbprint?: string;
  nextOidcClientId?: string;
  apiKeyLabel?: string;
  apiKeyPolicyId?: string;
  apiKeyFingerprint?: string;
  mispLicenseFingerprint?: string;
  /** The partners' MOSIP-signed certificates the worker holds. */
  authCertificateFingerprint?: string;
  mispCertificateFingerprint?: string;
  providerId?: number;
  providerClientId?: string;
  providerEnabled?: boolean;
  /** The OpenG2P generation its provider model belongs to (15 = 1.x, 17 = 1.2+). */
  openg2pGeneration?: 15 | 17;
  endpoints: EsignetEndpoints;
}

/** What a status change found: done now, already so, or nothing to change. */
export type StatusChange = 'changed' | 'unchanged' | 'absent';
