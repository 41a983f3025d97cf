// The sandbox's Keycloak realm `mosip`: users, confidential clients and the RS256 key that
// signs every access token. authmanager logs in through it, PMS/keymanager validate the
// `Authorization` cookie with it, and e-Signet's client-management checks bearer scopes with it.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWTPayload, type CryptoKey } from 'jose';

export interface RealmUser {
  userName: string;
  password: string;
  roles: string[];
  email?: string;
}

export interface RealmClient {
  clientId: string;
  secret: string;
  /** Realm roles given to the client's service account. */
  roles: string[];
  /** OAuth scopes put in client-credentials tokens. */
  scopes: string[];
}

export interface TokenClaims extends JWTPayload {
  preferred_username: string;
  realm_access: { roles: string[] };
  scope: string;
  azp: string;
}

export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

export class Realm {
  readonly users = new Map<string, RealmUser>();
  readonly clients = new Map<string, RealmClient>();
  /** Tokens stop validating after this many seconds. */
  tokenLifetimeSeconds = 3600;
  /** Each login opens a session (`sid`); sessions below this one were ended (Keycloak's "sign out all sessions"). */
  private nextSession = 1;
  private firstLiveSession = 1;

  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly issuer: string,
  ) {}

  static async create(issuer = 'http://sandbox-keycloak/auth/realms/mosip'): Promise<Realm> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return new Realm(privateKey, publicKey, issuer);
  }

  addUser(user: RealmUser): void {
    this.users.set(user.userName, user);
  }

  addClient(client: RealmClient): void {
    this.clients.set(client.clientId, client);
  }

  async publicJwks(): Promise<{ keys: object[] }> {
    return { keys: [{ ...(await exportJWK(this.publicKey)), kid: 'sandbox-realm', use: 'sig', alg: 'RS256' }] };
  }

  private async sign(subject: string, roles: string[], scope: string, azp: string): Promise<string> {
    return new SignJWT({
      preferred_username: subject,
      realm_access: { roles },
      scope,
      azp,
      sid: String(this.nextSession++),
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'sandbox-realm', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(randomUUID())
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.tokenLifetimeSeconds}s`)
      .sign(this.privateKey);
  }

  /** Password grant; `undefined` when the user, password or client is wrong. */
  async passwordGrant(
    userName: string,
    password: string,
    clientId: string,
    clientSecret: string,
  ): Promise<string | undefined> {
    const user = this.users.get(userName);
    const client = this.clients.get(clientId);
    if (!user || user.password !== password || !client || client.secret !== clientSecret) return undefined;
    return this.sign(user.userName, user.roles, 'profile email', clientId);
  }

  /** Client-credentials grant for a service account. */
  async clientCredentialsGrant(clientId: string, clientSecret: string): Promise<string | undefined> {
    const client = this.clients.get(clientId);
    if (!client || client.secret !== clientSecret) return undefined;
    return this.sign(`service-account-${clientId}`, client.roles, client.scopes.join(' '), clientId);
  }

  /** Ends every session opened so far: their tokens stop validating before they expire. */
  endSessions(): void {
    this.firstLiveSession = this.nextSession;
  }

  /** Validates a token this realm issued; `undefined` when invalid, expired or its session ended. */
  async verify(token: string | undefined): Promise<TokenClaims | undefined> {
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: this.issuer });
      if (Number(payload.sid) < this.firstLiveSession) return undefined;
      return payload as TokenClaims;
    } catch {
      return undefined;
    }
  }
}
