// MOSIP Partner Management Service (release-1.2.0.1): partners, certificates, policy
// mappings, API keys and MISP licenses. Every call sends the token as the
// `Authorization` cookie; business errors surface as RemoteRejection with the PMS code.
import { z } from 'zod';
import { HttpClient, type HttpOptions } from './http.js';
import { authCookie, isMosipCode, mosipRequest, unwrapMosip } from './mosip-envelope.js';

export type PartnerType = 'Auth_Partner' | 'MISP_Partner';

export interface PartnerRegistration {
  partnerId: string;
  organizationName: string;
  address: string;
  contactNumber: string;
  emailId: string;
  partnerType: PartnerType;
  /** Policy-group name; mandatory for Auth_Partner. */
  policyGroup?: string;
  langCode?: string;
}

/**
 * `RetrievePartnerDetailsResponse` (PMS release-1.2.0.1): `partnerID` (capital ID), `status`
 * "active" | "De-active" derived from `isActive`. The registration approval status
 * (InProgress → approved on certificate upload) is not exposed by this API.
 */
const partnerDetails = z.object({
  partnerID: z.string(),
  status: z.string().nullish(),
  organizationName: z.string(),
  contactNumber: z.string().nullish(),
  emailId: z.string(),
  address: z.string().nullish(),
  partnerType: z.string(),
  policyGroup: z.string().nullish(),
  isActive: z.boolean().nullish(),
});

export interface PartnerDetails {
  partnerId: string;
  organizationName: string;
  emailId: string;
  partnerType: string;
  policyGroup?: string | null;
  isActive: boolean;
  /** `active` or `De-active`. */
  status: string;
  contactNumber?: string | null;
  address?: string | null;
}

export type MappingStatus = 'InProgress' | 'approved' | 'rejected';

const registration = z.object({ partnerId: z.string(), status: z.string() });
const caUpload = z.object({ status: z.string() });
const partnerCertUpload = z.object({
  certificateId: z.string().min(1),
  signedCertificateData: z.string().includes('BEGIN CERTIFICATE'),
});
const certificateDownload = z.object({ certificateData: z.string().includes('BEGIN CERTIFICATE') });
const mappingRequested = z.object({ mappingkey: z.string().min(1) });
const decision = z.string();
const partnerStatusMessage = z.object({ message: z.string() });
const apiKey = z.object({ apiKey: z.string().min(1), label: z.string(), policyId: z.string(), partnerId: z.string() });
const license = z.object({
  providerId: z.string(),
  licenseKey: z.string().min(1),
  licenseKeyStatus: z.string(),
  licenseKeyExpiry: z.string(),
});
const apiKeyMapping = z.object({ partnerID: z.string(), policyId: z.string().nullish() });
/** `MISPLicenseEntity` rows of GET /misps (entity field names; LocalDateTime without zone). */
const mispLicenseRows = z.array(
  z.looseObject({
    mispId: z.string(),
    licenseKey: z.string(),
    validToDate: z.string().nullish(),
    isActive: z.boolean().nullish(),
  }),
);
export type MispLicenseRow = z.infer<typeof mispLicenseRows>[number];

/** `PageResponseDto<PolicyRequestSearchResponseDto>` of POST /partners/apikey/request/search. */
const mappingSearch = z.object({
  data: z
    .array(
      z.object({
        apikeyRequestId: z.string(),
        policyId: z.string().nullish(),
        partnerId: z.string(),
        policyName: z.string().nullish(),
        statusCode: z.string(),
        requestDatetimes: z.union([z.string(), z.number()]).nullish(),
      }),
    )
    .nullish(),
});

/** PMS `ClientDetailCreateRequest` (release-1.2.0.1). The field is `authPartnerId`: the guide's `authParnterId` is a typo the real DTO does not accept. */
export interface PmsOidcClientCreate {
  name: string;
  policyId: string;
  publicKey: Record<string, unknown>;
  authPartnerId: string;
  logoUri: string;
  redirectUris: string[];
  grantTypes: string[];
  clientAuthMethods: string[];
}

/** `ClientDetailUpdateRequest`: no key, no policy; PMS re-sends claims and ACRs from its own record. */
export interface PmsOidcClientUpdate {
  clientName: string;
  logoUri: string;
  redirectUris: string[];
  status: 'ACTIVE' | 'INACTIVE';
  grantTypes: string[];
  clientAuthMethods: string[];
}

const oidcClientStatus = z.object({ clientId: z.string().min(1), status: z.string().min(1) });
/** `ClientDetail` of GET /oidc/client/{id}: `publicKey` is the stored JWK as a JSON string. */
const oidcClientDetail = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  policyId: z.string().nullish(),
  policyName: z.string().nullish(),
  relyingPartyId: z.string().nullish(),
  logoUri: z.string().nullish(),
  redirectUris: z.array(z.string()).nullish(),
  publicKey: z.string().nullish(),
  claims: z.array(z.string()).nullish(),
  acrValues: z.array(z.string()).nullish(),
  status: z.string(),
  grantTypes: z.array(z.string()).nullish(),
  clientAuthMethods: z.array(z.string()).nullish(),
});
export type PmsOidcClientDetail = z.infer<typeof oidcClientDetail>;

function mappingStatus(statusCode: string): MappingStatus {
  const lower = statusCode.toLowerCase();
  return lower === 'approved' ? 'approved' : lower === 'rejected' ? 'rejected' : 'InProgress';
}

export class PmsClient {
  private readonly http: HttpClient;

  constructor(
    baseUrl: string,
    private readonly token: string,
    opts?: HttpOptions,
  ) {
    this.http = new HttpClient('pms', baseUrl, opts);
  }

  /** Every PMS call but GET and the search POSTs changes state (`readOnly` marks the searches): it gets the write timeout. */
  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    path: string,
    schema: S,
    request?: unknown,
    readOnly = method === 'GET',
  ): Promise<z.infer<S>> {
    const res = await this.http.send(path, {
      method,
      headers: authCookie(this.token),
      json: request === undefined ? undefined : mosipRequest(request),
      write: !readOnly,
    });
    return unwrapMosip(this.http, res, `${method} ${path}`, schema);
  }

  /** Self-registration; the partner starts `InProgress` and inactive. PMS_PRT_051 when the id is taken. */
  async registerPartner(p: PartnerRegistration): Promise<{ partnerId: string; status: string }> {
    return this.call('POST', '/partners', registration, p);
  }

  /** undefined when PMS has no such partner (PMS_PRT_005). */
  async getPartner(partnerId: string): Promise<PartnerDetails | undefined> {
    try {
      const d = await this.call('GET', `/partners/${encodeURIComponent(partnerId)}`, partnerDetails);
      return {
        partnerId: d.partnerID,
        organizationName: d.organizationName,
        emailId: d.emailId,
        partnerType: d.partnerType,
        policyGroup: d.policyGroup,
        isActive: d.isActive ?? d.status?.toLowerCase() === 'active',
        status: d.status ?? (d.isActive ? 'active' : 'De-active'),
        contactNumber: d.contactNumber,
        address: d.address,
      };
    } catch (err) {
      if (isMosipCode(err, 'PMS_PRT_005')) return undefined;
      throw err;
    }
  }

  /** Needs a Partner Admin / Partner Manager token. KER-PCM-003 (already in the store) is success. */
  async uploadCaCertificate(certificateData: string, partnerDomain: string): Promise<'uploaded' | 'already-exists'> {
    try {
      const { status } = await this.call('POST', '/partners/certificate/ca/upload', caUpload, {
        certificateData,
        partnerDomain,
      });
      if (status === 'Upload Failed.')
        throw this.http.rejection(
          'UPLOAD_FAILED',
          'POST /partners/certificate/ca/upload: keymanager answered "Upload Failed."',
        );
      return 'uploaded';
    } catch (err) {
      if (isMosipCode(err, 'KER-PCM-003')) return 'already-exists';
      throw err;
    }
  }

  /** Uploads the partner's certificate; PMS returns it re-signed by MOSIP and activates the partner. */
  async uploadPartnerCertificate(r: {
    partnerId: string;
    certificateData: string;
    partnerDomain: string;
  }): Promise<{ certificateId: string; signedCertificateData: string }> {
    const { certificateId, signedCertificateData } = await this.call(
      'POST',
      '/partners/certificate/upload',
      partnerCertUpload,
      r,
    );
    return { certificateId, signedCertificateData };
  }

  /** The MOSIP-signed partner certificate; undefined when none was uploaded (PMS_PRT_108). */
  async getPartnerCertificate(partnerId: string): Promise<string | undefined> {
    try {
      return (await this.call('GET', `/partners/${encodeURIComponent(partnerId)}/certificate`, certificateDownload))
        .certificateData;
    } catch (err) {
      if (isMosipCode(err, 'PMS_PRT_108')) return undefined;
      throw err;
    }
  }

  /** PMS_PRT_053 when a request for this policy is already InProgress or approved. */
  async requestPolicyMapping(
    partnerId: string,
    policyName: string,
    useCaseDescription: string,
  ): Promise<{ mappingKey: string }> {
    const { mappingkey } = await this.call(
      'POST',
      `/partners/${encodeURIComponent(partnerId)}/policy/map`,
      mappingRequested,
      {
        policyName,
        useCaseDescription,
      },
    );
    return { mappingKey: mappingkey };
  }

  /**
   * The partner's mapping request for this policy: the approved or in-progress one, else the
   * latest rejected. Uses the search API because `GET /partners/{id}/apikey/request` names no
   * policy and, in 1.2.0.1, fails with a NullPointerException once a request is approved.
   */
  async findPolicyMapping(
    partnerId: string,
    policyName: string,
  ): Promise<{ mappingKey: string; status: MappingStatus } | undefined> {
    const rows = await this.searchMappings(partnerId, policyName);
    const live = rows.find((r) => r.status === 'approved') ?? rows.find((r) => r.status === 'InProgress');
    const chosen = live ?? rows.sort((a, b) => b.at.localeCompare(a.at))[0];
    return chosen && { mappingKey: chosen.mappingKey, status: chosen.status };
  }

  /** The id of the policy named `policyName` as PMS shows it on the partner's mapping requests (API key status calls need it). */
  async mappedPolicyId(partnerId: string, policyName: string): Promise<string | undefined> {
    return (await this.searchMappings(partnerId, policyName)).find((r) => r.policyId)?.policyId;
  }

  private async searchMappings(partnerId: string, policyName: string) {
    const searched = {
      filters: [
        { columnName: 'partnerId', type: 'equals', value: partnerId },
        { columnName: 'policyName', type: 'equals', value: policyName },
      ],
      sort: [],
      pagination: { pageStart: 0, pageFetch: 1000 },
    };
    const page = await this.call('POST', '/partners/apikey/request/search', mappingSearch, searched, true);
    return (page.data ?? [])
      .filter((r) => r.partnerId === partnerId && (r.policyName ?? '').toLowerCase() === policyName.toLowerCase())
      .map((r) => ({
        mappingKey: r.apikeyRequestId,
        status: mappingStatus(r.statusCode),
        policyId: r.policyId ?? undefined,
        at: String(r.requestDatetimes ?? ''),
      }));
  }

  /** Partner Admin decision. Repeating the decision already recorded (PMS_PM_034 / PMS_PM_035) is success. */
  async decidePolicyMapping(mappingKey: string, decided: 'Approved' | 'Rejected'): Promise<void> {
    try {
      await this.call('PUT', `/partners/policy/${encodeURIComponent(mappingKey)}`, decision, { status: decided });
    } catch (err) {
      if (decided === 'Approved' && isMosipCode(err, 'PMS_PM_034')) return;
      if (decided === 'Rejected' && isMosipCode(err, 'PMS_PM_035')) return;
      throw err;
    }
  }

  /** Needs the partner's own token (AUTH_PARTNER); PMS_PRT_109 before approval, PMS_PRT_110 for a used label. */
  async generateApiKey(
    partnerId: string,
    policyName: string,
    label: string,
  ): Promise<{ apiKey: string; label: string; policyId: string; partnerId: string }> {
    return this.call('PATCH', `/partners/${encodeURIComponent(partnerId)}/generate/apikey`, apiKey, {
      policyName,
      label,
    });
  }

  /** PMS derives the client id from the key and forwards to e-Signet; PMS_IDP_001 when the key is registered already. */
  async createOidcClient(req: PmsOidcClientCreate): Promise<{ clientId: string; status: string }> {
    return this.call('POST', '/oidc/client', oidcClientStatus, req);
  }

  /** Full replacement of the updatable fields; PMS_IDP_004 for an unknown id. */
  async updateOidcClient(clientId: string, req: PmsOidcClientUpdate): Promise<{ clientId: string; status: string }> {
    return this.call('PUT', `/oidc/client/${encodeURIComponent(clientId)}`, oidcClientStatus, req);
  }

  /** undefined when PMS has no such client (PMS_IDP_004). */
  async getOidcClient(clientId: string): Promise<PmsOidcClientDetail | undefined> {
    try {
      return await this.call('GET', `/oidc/client/${encodeURIComponent(clientId)}`, oidcClientDetail);
    } catch (err) {
      if (isMosipCode(err, 'PMS_IDP_004')) return undefined;
      throw err;
    }
  }

  /**
   * `PATCH /partners/{id}/policy/{policyId}/apiKey/status` (PartnerManagementController): (de)activates
   * the key with this label; 'absent' when PMS has none (PMS_PRT_111). PMS never shows a key's value
   * again, so deactivating is all that can be done with a key whose answer was lost.
   */
  async setApiKeyStatus(
    partnerId: string,
    policyId: string,
    label: string,
    status: 'Active' | 'De-Active',
  ): Promise<'done' | 'absent'> {
    try {
      await this.call(
        'PATCH',
        `/partners/${encodeURIComponent(partnerId)}/policy/${encodeURIComponent(policyId)}/apiKey/status`,
        decision,
        { status, label },
      );
      return 'done';
    } catch (err) {
      if (isMosipCode(err, 'PMS_PRT_111')) return 'absent';
      throw err;
    }
  }

  /**
   * `GET /partners/{partnerId}/apikey/{apikey}` (getPolicyMappedToAPIKey): the policy the key is
   * mapped to; undefined when PMS holds no such key for the partner (PMS_PMP_009). PMS 1.2.0.x
   * shows no key's active flag through any API. The key is in the path: the endpoint named in
   * errors leaves it out.
   */
  async apiKeyPolicy(partnerId: string, apiKey: string): Promise<{ policyId?: string } | undefined> {
    const res = await this.http.send(
      `/partners/${encodeURIComponent(partnerId)}/apikey/${encodeURIComponent(apiKey)}`,
      {
        method: 'GET',
        headers: authCookie(this.token),
      },
    );
    try {
      const found = unwrapMosip(this.http, res, 'GET /partners/{partnerId}/apikey/{apikey}', apiKeyMapping);
      return { policyId: found.policyId ?? undefined };
    } catch (err) {
      if (isMosipCode(err, 'PMS_PMP_009')) return undefined;
      throw err;
    }
  }

  /**
   * `PATCH /partners/{id}` (§7): Active needs an uploaded certificate (PMS_PRT_108); De-Active of a
   * MISP partner deactivates its licenses too. Idempotent on PMS's side.
   */
  async setPartnerStatus(partnerId: string, status: 'Active' | 'De-Active'): Promise<void> {
    await this.call('PATCH', `/partners/${encodeURIComponent(partnerId)}`, partnerStatusMessage, { status });
  }

  /**
   * `PUT /misps` (§6): a license key's status, active or de-active (else PMS_MSP_407); 'absent' when PMS
   * knows no such provider and key (PMS_MSP_408).
   */
  async setMispLicenseStatus(
    providerId: string,
    licenseKey: string,
    licenseKeyStatus: 'active' | 'de-active',
  ): Promise<'done' | 'absent'> {
    try {
      await this.call('PUT', '/misps', license, { providerId, licenseKey, licenseKeyStatus });
      return 'done';
    } catch (err) {
      if (isMosipCode(err, 'PMS_MSP_408')) return 'absent';
      throw err;
    }
  }

  /** Every MISP license row (`GET /misps`); the caller matches its own and never shows a key. */
  async mispLicenses(): Promise<MispLicenseRow[]> {
    return this.call('GET', '/misps', mispLicenseRows);
  }

  /** One license per MISP: PMS_MSP_416 when one exists. */
  async createMispLicense(
    providerId: string,
  ): Promise<{ providerId: string; licenseKey: string; licenseKeyStatus: string; licenseKeyExpiry: string }> {
    return this.call('POST', '/misps', license, { providerId });
  }

  /** The MISP's valid license (PMS issues a new one if all expired); undefined when it never had one (PMS_MSP_408). */
  async getMispLicense(mispId: string): Promise<{ licenseKey: string; licenseKeyStatus?: string } | undefined> {
    try {
      const { licenseKey, licenseKeyStatus } = await this.call(
        'GET',
        `/misps/${encodeURIComponent(mispId)}/licenseKey`,
        license,
      );
      return { licenseKey, licenseKeyStatus };
    } catch (err) {
      if (isMosipCode(err, 'PMS_MSP_408')) return undefined;
      throw err;
    }
  }
}
