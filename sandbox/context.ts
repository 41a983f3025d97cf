// What every stand-in is given: the options the sandbox was started with, its URLs (filled in as
// each port opens), the credentials it generated and its Keycloak realm. A leaf below the
// stand-ins: it imports none of them, so each imports it without a circle.
import { randomSecret, type Realm } from './realm.js';
import type { FaultRuleInput, GlobalFaultsInput } from './faults.js';

/** e-Signet release lines whose error codes and rules the stand-in follows: ≤ 1.6.x and 1.7+. */
export type EsignetVersion = '1.4.1' | '1.7.0';

/**
 * e-Signet releases the stand-in serves: the rules of its line (EsignetVersion) plus what changed
 * between releases of a line (assertion `jti` from 1.6.0, `/client-mgmt/client` from 1.6.0, PS256
 * tokens from 1.7.0, `/actuator/info` from 1.5.0).
 */
export const ESIGNET_RELEASES = ['1.4.1', '1.5.1', '1.6.2', '1.7.0', '1.7.1'] as const;
export type EsignetRelease = (typeof ESIGNET_RELEASES)[number];

/** The line whose rules a release follows. */
export function esignetLine(release: EsignetRelease): EsignetVersion {
  return release === '1.7.0' || release === '1.7.1' ? '1.7.0' : '1.4.1';
}

export interface SandboxOptions {
  ports?: Partial<Record<keyof SandboxUrls, number>>;
  host?: string;
  /** e-Signet release served (its line's error codes and rules, and that release's login behaviour). */
  esignetVersion?: EsignetRelease;
  /** OpenG2P generation served: 15 = OpenG2P 1.x (auth_oidc fork + g2p_auth_id_oidc). */
  odooVersion?: 15 | 17;
  /**
   * Installed versions of OpenG2P's OIDC modules (`ir.module.module`), overriding the generation's
   * defaults, e.g. `{ auth_oidc: '15.0.1.1.0' }`; the sign-in callback behaves as that code does.
   */
  openg2pModuleVersions?: Record<string, string>;
  /** false serves a plain Odoo: auth_oauth without OpenG2P's OIDC modules (auth_oidc/g2p_auth_oidc, g2p_auth_id_oidc). */
  openg2pModules?: boolean;
  /**
   * e-Signet deployed without its UI front (no nginx before the service), with the deployed default
   * `mosip.esignet.jwks-uri` = `<domain>/.well-known/jwks.json`: discovery names that URL, and the
   * bare service answers it (and `/.well-known/openid-configuration`) with HTTP 200 and an empty body.
   */
  esignetWithoutUiFront?: boolean;
  /** Demo mode: the sandbox's Partner Admin approves policy mappings in the "portal" after this delay. */
  autoApproveMappingsAfterMs?: number;
  /** Partner users (Keycloak username = partner id) to create with role AUTH_PARTNER, password = credentials.partnerPassword. */
  partnerUsers?: string[];
  /** Faults injected from the start (the command line's --fault, --fault-rate, --latency-ms). */
  faults?: { rules?: (string | FaultRuleInput)[]; global?: GlobalFaultsInput };
}

export interface SandboxUrls {
  /** MOSIP API gateway: /v1/authmanager, /v1/partnermanager, /v1/policymanager, /v1/keymanager, /auth/realms/mosip (Keycloak). */
  mosip: string;
  /** e-Signet domain; the service is under /v1/esignet. */
  esignet: string;
  /** OpenG2P (Odoo) base URL. */
  odoo: string;
  /** Test/demo control API: request log, users, faults, counts. */
  control: string;
}

/** Credentials the sandbox generated at start; nothing here is fixed in code. */
export interface SandboxCredentials {
  mosipClientId: string;
  mosipClientSecret: string;
  partnerAdminUser: string;
  partnerAdminPassword: string;
  /** Password of every partner user the sandbox creates. */
  partnerPassword: string;
  /** Service account keymanager lets read certificates (role ID_AUTHENTICATION), as mosip-ida-client in MOSIP. */
  idaClientId: string;
  idaClientSecret: string;
  esignetClientMgmtClientId: string;
  esignetClientMgmtSecret: string;
  odooDatabase: string;
  odooLogin: string;
  odooPassword: string;
  verificationIndividualId: string;
  verificationOtp: string;
}

export interface SandboxContext {
  realm: Realm;
  urls: SandboxUrls;
  options: SandboxOptions;
  credentials: SandboxCredentials;
}

/** Fresh random credentials for one sandbox; nothing here is fixed in code. */
export function newSandboxCredentials(): SandboxCredentials {
  const credentials: SandboxCredentials = {
    mosipClientId: 'mosip-pms-client',
    mosipClientSecret: randomSecret(),
    partnerAdminUser: 'partneradmin',
    partnerAdminPassword: randomSecret(),
    partnerPassword: randomSecret(),
    idaClientId: 'mosip-ida-client',
    idaClientSecret: randomSecret(),
    esignetClientMgmtClientId: 'mosip-pms-client',
    esignetClientMgmtSecret: '',
    odooDatabase: 'openg2p',
    odooLogin: 'admin',
    odooPassword: randomSecret(),
    verificationIndividualId: '8267411571',
    verificationOtp: String(100000 + Math.floor(Math.random() * 900000)),
  };
  // One Keycloak client serves both the authmanager login and e-Signet client management, as in MOSIP deployments.
  credentials.esignetClientMgmtSecret = credentials.mosipClientSecret;
  return credentials;
}
