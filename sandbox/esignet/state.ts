// What the e-Signet stand-in remembers: registered clients (its `client_detail` table) and the
// caches of the login flow (pre-auth, authenticated, auth-code, userinfo, used jtis).
import { esignetLine, type EsignetRelease, type EsignetVersion, type SandboxContext } from '../context.js';
import { compareVersions } from '../../src/compat/versions.js';
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
  /** An OTP was sent in this transaction: the identity system checks an OTP challenge against it. */
  otpSent?: boolean;
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
    /** e-Signet's own key (OIDC_SERVICE), listed in its JWKS. */
    readonly keys: SigningKeys,
    /** The identity system's KYC signing key: signs the userinfo, and is not in e-Signet's JWKS (observed). */
    readonly identityKeys: SigningKeys,
  ) {}

  /** The release line whose rules and error codes apply. */
  get version(): EsignetVersion {
    return esignetLine(this.release);
  }

  /** The exact release served. */
  get release(): EsignetRelease {
    return this.ctx.options.esignetVersion ?? '1.4.1';
  }

  /** Whether the served release is `version` or later. */
  atLeast(version: string): boolean {
    return compareVersions(this.release, version) >= 0;
  }

  /**
   * The client assertion must carry `jti`: from 1.6.0 (TokenServiceImpl's REQUIRED_CLIENT_ASSERTION_CLAIMS;
   * 1.7+ JwtClaimValidator on JTI). Observed: 1.7.1 refuses an assertion without it, 1.4.1 accepts it.
   */
  get assertionJtiRequired(): boolean {
    return this.atLeast('1.6.0');
  }

  /** 1.7+ signs through keymanager jwsSign, whose default is PS256; earlier releases sign RS256 (jwtSign). */
  get tokenSigningAlg(): 'PS256' | 'RS256' {
    return this.atLeast('1.7.0') ? 'PS256' : 'RS256';
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
