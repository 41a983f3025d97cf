// MOSIP ID Authentication's internal API (`/idauthentication/v1/internal`): where a running
// 1.2.0.1 deployment serves IDA's own certificates, the IDA partner certificate
// (`IDA`/`PARTNER`) relying parties are given among them. IDA keeps its keys in its own
// database: the central keymanager has no IDA key policy and answers KER-KMS-002 for them.
// Same `@ResponseFilter` envelope as keymanager; the token travels in the `Authorization`
// cookie (a `clientidsecretkey` login, e.g. IDA's own client); ID_AUTHENTICATION may read.
import { z } from 'zod';
import { HttpClient, type HttpOptions } from './http.js';
import { authCookie, unwrapMosip } from './mosip-envelope.js';

const certificateResponse = z.object({
  certificate: z.string().includes('BEGIN CERTIFICATE'),
  issuedAt: z.string(),
  expiryAt: z.string(),
});

export interface ServedCertificate {
  certificate: string;
  issuedAt: string;
  expiryAt: string;
}

export class IdaClient {
  private readonly http: HttpClient;

  /** `baseUrl`: IDA's internal service URL, e.g. `https://api-internal.example.org/idauthentication/v1/internal`. */
  constructor(
    baseUrl: string,
    private readonly token: string,
    opts?: HttpOptions,
  ) {
    this.http = new HttpClient('ida', baseUrl, opts);
  }

  /** `GET /getCertificate`, e.g. (`IDA`, `PARTNER`); errors KER-KMS-xxx (KER-KMS-002: not an IDA application id). */
  async getCertificate(applicationId: string, referenceId?: string): Promise<ServedCertificate> {
    const res = await this.http.send('/getCertificate', {
      method: 'GET',
      headers: authCookie(this.token),
      query: { applicationId, referenceId },
    });
    const { certificate, issuedAt, expiryAt } = unwrapMosip(this.http, res, 'GET /getCertificate', certificateResponse);
    return { certificate, issuedAt, expiryAt };
  }
}
