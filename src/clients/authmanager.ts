// MOSIP kernel authmanager login (mosip-openid-bridge 1.2.0.x). The password login returns
// the token in the body; the client-secret login only in `Set-Cookie: Authorization=…`.
import { z } from 'zod';
import { RemoteRejection } from './errors.js';
import { HttpClient, type HttpOptions, type HttpResponse } from './http.js';
import { mosipRequest, unwrapMosip } from './mosip-envelope.js';

const passwordLoginResponse = z.object({
  token: z.string().min(1),
  message: z.string().nullish(),
  status: z.string().nullish(),
  expiryTime: z.number().nullish(),
});

const secretLoginResponse = z.object({ status: z.string(), message: z.string().nullish() });

/** `Authorization=<jwt>` from Set-Cookie, else the `Authorization` response header. */
function tokenFromHeaders(res: HttpResponse): string | undefined {
  const setCookie = res.headers['set-cookie'];
  for (const cookie of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const match = /^\s*Authorization=([^;]+)/.exec(cookie);
    if (match?.[1]) return match[1];
  }
  const header = res.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  return value ? value.replace(/^Bearer\s+/i, '') : undefined;
}

/** authmanager 1.2.0.x lets Keycloak's 401 for a wrong secret escape as HTTP 500: that is not transient. */
function rejectedSecret(res: HttpResponse): RemoteRejection | undefined {
  if (res.status !== 500) return undefined;
  try {
    const first = (JSON.parse(res.text) as { errors?: { errorCode?: string; message?: string }[] }).errors?.[0];
    if (first?.message && /^\s*401\b/.test(first.message)) {
      return new RemoteRejection(
        'authmanager',
        first.errorCode ?? '500',
        'client id or secret key refused by Keycloak (authmanager answered HTTP 500 with a 401)',
        500,
      );
    }
  } catch {
    // Not JSON: a genuine server failure.
  }
  return undefined;
}

export class AuthmanagerClient {
  private readonly http: HttpClient;

  constructor(baseUrl: string, opts?: HttpOptions) {
    this.http = new HttpClient('authmanager', baseUrl, opts);
  }

  /** `POST /authenticate/internal/useridPwd`; a wrong password is RemoteRejection KER-ATH-023. */
  async loginWithPassword(c: {
    userName: string;
    password: string;
    appId: string;
    clientId: string;
    clientSecret: string;
  }): Promise<string> {
    const endpoint = 'POST /authenticate/internal/useridPwd';
    const res = await this.http.send('/authenticate/internal/useridPwd', { method: 'POST', json: mosipRequest(c) });
    return unwrapMosip(this.http, res, endpoint, passwordLoginResponse).token;
  }

  /** `POST /authenticate/clientidsecretkey`; returns the token taken from the Set-Cookie. */
  async loginWithClientSecret(c: { clientId: string; secretKey: string; appId: string }): Promise<string> {
    const endpoint = 'POST /authenticate/clientidsecretkey';
    const res = await this.http.send('/authenticate/clientidsecretkey', { method: 'POST', json: mosipRequest(c) });
    const refused = rejectedSecret(res);
    if (refused) throw refused;
    unwrapMosip(this.http, res, endpoint, secretLoginResponse);
    const token = tokenFromHeaders(res);
    if (!token)
      throw this.http.rejection(
        'NO_TOKEN',
        `${endpoint}: login succeeded but no Authorization cookie or header came back`,
        res.status,
      );
    return token;
  }
}
