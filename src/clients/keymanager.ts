// MOSIP keymanager: the certificates relying parties need (IDA partner certificate, ROOT).
import { z } from 'zod';
import { HttpClient, type HttpOptions } from './http.js';
import { authCookie, unwrapMosip } from './mosip-envelope.js';

const certificateResponse = z.object({
  certificate: z.string().includes('BEGIN CERTIFICATE'),
  issuedAt: z.string(),
  expiryAt: z.string(),
});

export class KeymanagerClient {
  private readonly http: HttpClient;

  /** The token needs a keymanager role (mosip-config: e.g. ID_AUTHENTICATION, GLOBAL_ADMIN), not only partner roles. */
  constructor(
    baseUrl: string,
    private readonly token: string,
    opts?: HttpOptions,
  ) {
    this.http = new HttpClient('keymanager', baseUrl, opts);
  }

  /** `GET /getCertificate`, e.g. (`IDA`, `PARTNER`) for the IDA partner certificate; errors KER-KMS-xxx. */
  async getCertificate(
    applicationId: string,
    referenceId?: string,
  ): Promise<{ certificate: string; issuedAt: string; expiryAt: string }> {
    const res = await this.http.send('/getCertificate', {
      method: 'GET',
      headers: authCookie(this.token),
      query: { applicationId, referenceId },
    });
    const { certificate, issuedAt, expiryAt } = unwrapMosip(this.http, res, 'GET /getCertificate', certificateResponse);
    return { certificate, issuedAt, expiryAt };
  }
}
