// What the e-Signet stand-in remembers: registered clients (its `client_detail` table) and the
// caches of the login flow (pre-auth, authenticated, auth-code, userinfo, used jtis).
import type { EsignetVersion, SandboxContext } from '../context.js';
import type { SigningKeys } from './keys.js';

/** `server.servlet.path`: every service path lives under it. */
export const SERVLET_PATH = '/v1/esignet';

export interface EsignetClientRecord {
  clientId: string;
  clientName: string;
  /** Stored JWK, public params only. */
  publicKey: Record<string, unknown>;
  relyingPartyId: string;
  userClaims: string[];
  authContextRefs: string[];
  logoUri: string;
  redirectUris: string[];
  grantTypes: string[];
  clientAuthMethods: string[];
  status: 'ACTIVE' | 'INACTIVE';
  createdAt: string;
  updatedAt: string;
  /** V2/V3 APIs: name per ISO-639-3 language; `@none` is always the plain clientName. */
  clientNameLangMap?: Record<string, string>;
  /** V3 API (`/client-mgmt/client`) only. */
  additionalConfig?: Record<string, unknown> | null;
}

export interface AuthFactor {
  type: string;
  count: number;
  subTypes: null;
}

export interface OidcTransaction {
  transactionId: string;
  phase: 'pre-auth' | 'authenticated';
  clientId: string;
  relyingPartyId: string;
  redirectUri: string;
  state?: string;
  nonce?: string;
  acrs: string[];
  authFactors: AuthFactor[][];
  essentialClaims: string[];
  voluntaryClaims: string[];
  authorizeScopes: string[];
  oauthDetailsHash: string;
  codeChallenge?: string;
  sendOtpAttempts: number;
  authenticateAttempts: number;
  individualId?: string;
  /** Pairwise subject: the partner-specific user token. */
  subject?: string;
  authTimeSeconds?: number;
  providedAcrs?: string[];
  acceptedClaims?: string[];
  permittedScopes?: string[];
}

export interface IssuedCode {
  transaction: OidcTransaction;
  expiresAt: number;
}

export interface IssuedAccessToken {
  clientId: string;
  /** The userinfo response, produced at token time by the KYC exchange. */
  kycJws: string;
  expiresAt: number;
}

export class EsignetState {
  readonly clients = new Map<string, EsignetClientRecord>();
  readonly createCounts: Record<string, number> = {};
  readonly transactions = new Map<string, OidcTransaction>();
  readonly codes = new Map<string, IssuedCode>();
  readonly accessTokens = new Map<string, IssuedAccessToken>();
  /** 1.7.0 `jti` cache: a client assertion id is accepted once. */
  readonly usedJtis = new Set<string>();

  constructor(
    readonly ctx: SandboxContext,
    readonly keys: SigningKeys,
  ) {}

  get version(): EsignetVersion {
    return this.ctx.options.esignetVersion ?? '1.4.1';
  }

  /** `mosip.esignet.domain.url`; known only once the server listens, so read per request. */
  get domain(): string {
    return this.ctx.urls.esignet.replace(/\/+$/, '');
  }

  get serviceUrl(): string {
    return this.domain + SERVLET_PATH;
  }

  /**
   * `mosip.esignet.discovery.issuer-id`: at the 1.4.1 and 1.7.0 tags the default is the domain plus the
   * servlet path, while discovery's `issuer` is the bare domain; tokens carry this one.
   */
  get tokenIssuer(): string {
    return this.serviceUrl;
  }

  activeClient(clientId: string | undefined): EsignetClientRecord | undefined {
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    return client?.status === 'ACTIVE' ? client : undefined;
  }
}
