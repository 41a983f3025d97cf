// e-Signet keeps no readable list of clients: the one way to learn whether a client exists, is
// ACTIVE and has a redirect URI registered is to start an authorization with it, as a browser
// would — `oauth-details` validates client and redirect URI and opens a transaction, with no user
// and no OTP involved (shared/reference/esignet.md, "Observed on running servers"). The
// transaction is left to expire.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ContractViolation, RemoteRejection } from './errors.js';
import { esignetResponse } from './esignet.js';
import { HttpClient, mosipTime, parseResponse, type HttpOptions } from './http.js';

/** What e-Signet answered for one (client, redirect URI) pair. */
export type ProbeAnswer =
  | { accepted: true }
  | { accepted: false; code: string }
  | { accepted: false; code: 'invalid_client_id' }
  | { accepted: false; code: 'invalid_redirect_uri' };

function cookieOf(setCookie: string | string[] | undefined, name: string): string | undefined {
  for (const cookie of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const [pair = ''] = cookie.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

export class EsignetAuthorizationProbe {
  private readonly http: HttpClient;
  private csrf?: { header: string; cookie: string };
  /** `/authorization/v2/oauth-details` (1.5+), else the 1.4 path; learnt on the first 404. */
  private path = '/authorization/v2/oauth-details';

  /** `baseUrl` includes the servlet path: `https://esignet.example.org/v1/esignet`. */
  constructor(baseUrl: string, opts?: HttpOptions) {
    this.http = new HttpClient('esignet', baseUrl, opts);
  }

  private async csrfHeaders(): Promise<Record<string, string>> {
    if (!this.csrf) {
      const res = await this.http.send('/csrf/token', { method: 'GET' });
      this.http.failOnTransientStatus(res, 'GET /csrf/token');
      if (res.status !== 200) throw new ContractViolation('esignet', 'GET /csrf/token', `HTTP ${res.status}`);
      const body = parseResponse(
        'esignet',
        'GET /csrf/token',
        z.object({ token: z.string().min(1) }),
        this.http.parseJson(res, 'GET /csrf/token'),
      );
      // Spring's double submit: the header repeats the cookie.
      const token = cookieOf(res.headers['set-cookie'], 'XSRF-TOKEN') ?? body.token;
      this.csrf = { header: token, cookie: `XSRF-TOKEN=${token}` };
    }
    return { 'x-xsrf-token': this.csrf.header, cookie: this.csrf.cookie };
  }

  /** Starts (and abandons) an authorization of `clientId` back to `redirectUri`. */
  async probe(clientId: string, redirectUri: string, acr: string | undefined): Promise<ProbeAnswer> {
    const request = {
      clientId,
      scope: 'openid',
      responseType: 'code',
      redirectUri,
      display: 'page',
      prompt: 'consent',
      ...(acr ? { acrValues: acr } : {}),
      nonce: randomUUID(),
      state: randomUUID(),
    };
    for (;;) {
      const res = await this.http.send(this.path, {
        method: 'POST',
        headers: await this.csrfHeaders(),
        json: { requestTime: mosipTime(), request },
      });
      try {
        esignetResponse(this.http, res, `POST ${this.path}`);
        return { accepted: true };
      } catch (err) {
        if (err instanceof ContractViolation && res.status === 404 && this.path.includes('/v2/')) {
          this.path = '/authorization/oauth-details';
          continue;
        }
        if (err instanceof RemoteRejection && res.status === 200) return { accepted: false, code: err.code };
        throw err;
      }
    }
  }
}
