// The deployment spec: what onboarding staff write, one file per OpenG2P deployment.
// It names every base URL, version and account, and holds secret *references* only:
// the worker resolves them inside activities, so no secret value enters workflow history.
import { z } from 'zod';
import { durationMs } from './duration.js';
import { DEPLOYMENT_ID_PATTERN } from './deployment-id.js';

/** `env:NAME` or `file:path` — never a secret value. */
export const secretRefSchema = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
    message:
      'must be a secret reference such as env:MOSIP_CLIENT_SECRET or file:./secrets/odoo-password; ' +
      'never put the secret value itself in the spec',
  });
export type SecretRef = z.infer<typeof secretRefSchema>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An http(s) base URL; plain http is allowed on loopback only (the sandbox). */
const baseUrl = z
  .string()
  .url({ message: 'must be an absolute URL such as https://api.example.org' })
  .refine(
    (value) => {
      // zod runs this refinement even after .url() failed: an unparsable value is reported once, above.
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    },
    { message: 'must use https (plain http is accepted for localhost/127.0.0.1 only)' },
  )
  .transform((value) => value.replace(/\/+$/, ''));

const KEYS_NOT_IN_SPEC =
  "approver keys are not read from a spec: the worker's identity registry (its policy file, SECURITY.md) holds them; name the approver only";

const DURATION_SHAPE = /^\d{1,9}(ms|s|m|h|d)$/;

/**
 * A duration such as `30s` or `14d`, within bounds: a `0ms` poll would hammer PMS, and a
 * deadline past the date range would fail the workflow task in a loop.
 */
function durationSchema(min: string, max: string) {
  return z
    .string()
    .regex(DURATION_SHAPE, { message: 'must be a duration such as 30s, 5m, 12h or 14d' })
    .refine((v) => !DURATION_SHAPE.test(v) || (durationMs(v) >= durationMs(min) && durationMs(v) <= durationMs(max)), {
      message: `must be between ${min} and ${max}`,
    });
}

/**
 * An https URL a browser or a remote system will follow (logo, redirect URIs, webhook):
 * never `javascript:`, `data:` or plain http, except plain http on loopback for the sandbox.
 */
const webUrl = z
  .string()
  .max(2048)
  .url({ message: 'must be an absolute URL' })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    },
    { message: 'must be an https URL (plain http only on localhost/127.0.0.1; no javascript:, data: or other schemes)' },
  );

// PMS: partnerId ≤ 36 chars, no whitespace (PMS_PRT_052/PMS_PRT_066); contact ≤ 16 (PMS_PRT_013).
const partnerIdSchema = z
  .string()
  .min(1)
  .max(36, { message: 'must be at most 36 characters (MOSIP PMS rejects longer partner ids: PMS_PRT_052)' })
  .regex(/^\S+$/, { message: 'must not contain whitespace (PMS_PRT_066)' });

const partnerCommon = {
  id: partnerIdSchema,
  organisation: z.string().min(1).max(128),
  address: z.string().min(1).max(2000),
  contactNumber: z.string().min(1).max(16, { message: 'must be at most 16 characters (PMS_PRT_013)' }),
  email: z
    .string()
    .max(254)
    .regex(/^[\w+-]+(\.\w+)*@[\w-]+(\.\w+)*(\.[a-z]{2,})$/, { message: 'must be an e-mail address PMS accepts (PMS_PRT_012)' }),
  /** PEM files of the partner's CA and certificate; when absent a sandbox-grade pair is generated. */
  certificate: z
    .object({ caCertificateFile: z.string().min(1), certificateFile: z.string().min(1) })
    .strict()
    .optional(),
};

export const deploymentSpecSchema = z
  .object({
    deploymentId: z
      .string()
      .regex(DEPLOYMENT_ID_PATTERN, {
        message: 'must be 2-63 lower-case letters, digits or dashes, starting with a letter or digit',
      }),
    mosip: z
      .object({
        /** MOSIP API gateway, e.g. https://api-internal.example.org; serves /v1/authmanager, /v1/partnermanager, /v1/policymanager, /v1/keymanager. */
        apiBaseUrl: baseUrl,
        /** The PMS release line the spec is written for. */
        version: z.string().regex(/^1\.2\.\d+(\.\d+)?$/, { message: 'must be a MOSIP 1.2.x version such as 1.2.0.1' }),
        authmanagerUrl: baseUrl.optional(),
        pmsUrl: baseUrl.optional(),
        keymanagerUrl: baseUrl.optional(),
        /** authmanager appId (selects the Keycloak realm's client set); MOSIP's partner portal uses `partner`. */
        appId: z.string().min(1).default('partner'),
        clientId: z.string().min(1),
        clientSecret: secretRefSchema,
        /** An account holding PARTNER_ADMIN: registers partners, uploads certificates, approves mappings. */
        partnerAdmin: z.object({ userName: z.string().min(1), password: secretRefSchema }).strict(),
        /**
         * A service account keymanager lets read certificates (its getCertificate is open to
         * ID_AUTHENTICATION and admin roles, not PARTNER_ADMIN), e.g. mosip-ida-client of app `ida`.
         */
        certificateReader: z
          .object({ appId: z.string().min(1).default('ida'), clientId: z.string().min(1), clientSecret: secretRefSchema })
          .strict(),
        /** IDA's internal service (full URL), when not `<apiBaseUrl>/idauthentication/v1/internal`. */
        idaUrl: baseUrl.optional(),
        /**
         * Where the IDA partner certificate is read: `ida`, IDA's internal API (what a 1.2.0.1
         * deployment serves; the central keymanager has no IDA key policy there and answers
         * KER-KMS-002), or `keymanager` for an installation whose keymanager holds IDA's keys.
         */
        idaCertificate: z
          .object({
            applicationId: z.string().min(1).default('IDA'),
            referenceId: z.string().min(1).default('PARTNER'),
            source: z.enum(['ida', 'keymanager']).default('ida'),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    esignet: z
      .object({
        /** e-Signet service URL including its servlet path, e.g. https://esignet.example.org/v1/esignet. */
        baseUrl,
        version: z.string().regex(/^1\.\d+\.\d+$/, { message: 'must be an e-Signet version such as 1.4.1 or 1.7.0' }),
        /**
         * Keycloak client-credentials login whose token carries the add_oidc_client / update_oidc_client
         * scopes. Used only by `oidcClient.registration: esignet` (required there, see below); the
         * PMS path never calls e-Signet's client-management API, so there it may be left out.
         */
        clientManagement: z
          .object({ tokenUrl: baseUrl, clientId: z.string().min(1), clientSecret: secretRefSchema })
          .strict()
          .optional(),
      })
      .strict(),
    openg2p: z
      .object({
        /** The portal's public URL; the OIDC redirect URI is derived from it. */
        url: baseUrl,
        database: z.string().min(1),
        login: z.string().min(1),
        password: secretRefSchema,
        provider: z
          .object({
            name: z.string().min(1).default('e-Signet'),
            buttonLabel: z.string().min(1).default('Login with e-Signet'),
            scope: z.string().min(1).default('openid profile'),
            tokenMap: z.string().min(1).default('sub:user_id'),
            /** Name of the g2p.id.type the registrant's e-Signet id is stored as. */
            idTypeName: z.string().min(1).optional(),
            validateResponseMapping: z
              .string()
              .min(1)
              .default('name:name email:email phone:phone_number birthdate:birthdate gender:gender address:address'),
            /** xml-id of the group given to users created at first login ("User types / Portal"). */
            userGroupXmlId: z.string().regex(/^[\w]+\.[\w]+$/).default('base.group_portal'),
            loginAttribute: z.string().min(1).default('email'),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    partners: z
      .object({
        auth: z
          .object({
            ...partnerCommon,
            policyGroup: z.string().min(1).max(128),
            policy: z.string().min(1).max(128),
            /** The partner's own login (Keycloak username = partner id): PMS issues API keys only to the partner itself. */
            password: secretRefSchema,
            apiKeyLabel: z.string().min(1).max(32, { message: 'must be at most 32 characters (PMS stores labels of at most 36, and a re-issued key adds a suffix)' }).optional(),
          })
          .strict(),
        misp: z.object(partnerCommon).strict(),
      })
      .strict()
      .refine((p) => p.auth.id !== p.misp.id, { message: 'auth and misp partner ids must differ', path: ['misp', 'id'] }),
    oidcClient: z
      .object({
        name: z.string().min(1).max(256),
        logoUri: webUrl,
        claims: z
          .array(z.string().min(1))
          .max(30)
          .default(['birthdate', 'address', 'gender', 'name', 'phone_number', 'email', 'picture']),
        acrs: z
          .array(z.string().min(1))
          .min(1)
          .max(30)
          .default(['mosip:idp:acr:biometrics', 'mosip:idp:acr:generated-code']),
        /**
         * `pms`: the MOSIP Partner Admin's PMS OIDC API (claims and ACRs then come from the Auth policy);
         * `esignet`: e-Signet's own client-management API, where PMS is not available.
         */
        registration: z.enum(['pms', 'esignet']).default('esignet'),
        /**
         * Claims the Auth policy does not allow (its allowedKycAttributes, mapped to claims as PMS
         * maps them) on the e-Signet path: `block` (default) stops at verifyPrerequisites naming
         * them; `drop` registers only the claims the policy allows. The PMS path always takes the policy's.
         */
        claimsOutsidePolicy: z.enum(['block', 'drop']).default('block'),
        /** Redirect URIs besides the derived `<openg2p.url>/auth_oauth/signin` (at most 5 in all). */
        extraRedirectUris: z.array(webUrl).max(4).default([]),
      })
      .strict(),
    approval: z
      .object({
        /** Partner Admins who may decide; each proves a decision by signing it with their key. */
        approvers: z
          .array(
            z
              .object({
                name: z.string().min(1).max(64).regex(/^\S+$/, { message: 'must be one word (it is typed as --as <name>)' }),
                email: z.string().optional(),
                // Keys live in the worker's identity registry: a spec that brought its own could
                // name its author as the approver.
                publicKey: z.never({ error: KEYS_NOT_IN_SPEC }).optional(),
                publicKeyFile: z.never({ error: KEYS_NOT_IN_SPEC }).optional(),
              })
              .strict(),
          )
          .min(1, { message: 'name at least one approver (a MOSIP Partner Admin)' })
          .refine((list) => new Set(list.map((a) => a.name)).size === list.length, { message: 'approver names must be unique' }),
        /** Distinct approvals needed (N of the M approvers); any one rejection ends the run. */
        required: z.number().int().min(1).default(1),
        /** How often PMS is checked for an approval given in its own portal. */
        pollInterval: durationSchema('1s', '1d').default('1m'),
        /** Reminders to the approvers while the decision is pending. */
        reminderInterval: durationSchema('1s', '30d').optional(),
        /** One escalation message once the wait is this long. */
        escalateAfter: durationSchema('1s', '365d').optional(),
        /** The run ends as timed_out when no decision arrives by then. */
        deadline: durationSchema('1s', '365d').default('14d'),
        /** Where reminders, escalations and the timeout notice are POSTed (JSON). */
        webhookUrl: webUrl.optional(),
        /** Oldest signed decision accepted (replays of old signatures are refused). */
        maxDecisionAge: durationSchema('10s', '1h').default('5m'),
        /**
         * true: the spec's Partner Admin account records the people's decision on PMS.
         * false: PMS approval is given only in the PMS portal; the run proceeds once PMS shows it.
         */
        recordInPms: z.boolean().default(true),
      })
      .strict()
      .refine((a) => a.required <= a.approvers.length, { message: 'required approvals exceed the number of approvers', path: ['required'] }),
    /** Optional end-to-end login check: a test identity the ID system knows. */
    verification: z
      .object({ individualId: z.string().min(1), otp: secretRefSchema })
      .strict()
      .optional(),
    /**
     * TLS to the spec's systems, always verified. `caFile`: a PEM CA bundle trusted besides the
     * public roots (private MOSIP PKI), read by the worker (relative to its secrets folder).
     */
    tls: z.object({ caFile: z.string().min(1) }).strict().optional(),
  })
  .strict()
  .refine(
    // The value may be partial here (see `when`), hence the optional chaining.
    (s) => s.oidcClient?.registration !== 'esignet' || s.esignet?.clientManagement !== undefined,
    {
      path: ['esignet', 'clientManagement'],
      message:
        'required because oidcClient.registration is esignet (the client is registered through ' +
        "e-Signet's client-management API): add tokenUrl, clientId and clientSecret of a Keycloak client " +
        'whose token carries add_oidc_client and update_oidc_client, or set oidcClient.registration: pms',
      // Also checked when other fields are wrong, so every problem shows in one pass; skipped when
      // esignet or oidcClient is itself missing or not an object (that is reported already).
      when: (payload) => {
        const v = payload.value as { esignet?: unknown; oidcClient?: unknown } | undefined;
        return isObject(v) && isObject(v.esignet) && isObject(v.oidcClient);
      },
    },
  );

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type DeploymentSpec = z.infer<typeof deploymentSpecSchema>;
export type DeploymentSpecInput = z.input<typeof deploymentSpecSchema>;
