// The deployment spec: what onboarding staff write, one file per OpenG2P deployment.
// It names every base URL, version and account, and holds secret *references* only:
// the worker resolves them inside activities, so no secret value enters workflow history.
import { z } from 'zod';
import { durationMs } from './duration.js';
import { DEPLOYMENT_ID_PATTERN } from './deployment-id.js';
import { API_KEY_LABEL_MAX, defaultApiKeyLabel } from './api-key-label.js';
import { isLoopback, urlProblem } from './urls.js';
import { acrProblem, claimProblem } from './esignet-vocabulary.js';
import { privateKeyKind, ROTATE_EXPOSED_KEY } from '../approvals/private-key.js';

/** Said of any value that is private key material, wherever it was pasted (never repeating it). */
const exposedKey = (input: unknown): string | undefined => {
  const kind = privateKeyKind(input);
  return kind ? `this is ${kind}: ${ROTATE_EXPOSED_KEY}` : undefined;
};

/** `env:NAME` or `file:path` — never a secret value. */
export const secretRefSchema = z.string().regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
  error: (issue) =>
    `${exposedKey(issue.input) ? `${exposedKey(issue.input)}. It ` : ''}must be a secret reference such as env:MOSIP_CLIENT_SECRET or file:./secrets/odoo-password; ` +
    'never put the secret value itself in the spec',
});
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Adds the precise reason `value` is no URL a request can go to (whitespace, port, scheme…). */
function checkUrl(value: string, ctx: z.RefinementCtx): boolean {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
  return problem === undefined;
}

/** An http(s) base URL; plain http is allowed on loopback only (the sandbox). */
const baseUrl = z
  .string()
  // Derived URLs (the redirect URI, the services behind the gateway) must stay within 2048.
  .max(2000)
  .superRefine((value, ctx) => {
    if (!checkUrl(value, ctx)) return;
    const url = new URL(value);
    if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url)))) {
      ctx.addIssue({ code: 'custom', message: 'must use https (plain http is accepted for localhost/127.0.0.1 only)' });
    } else if (url.search || url.hash) {
      ctx.addIssue({
        code: 'custom',
        message: 'a base URL ends with its path: remove the ?query or #fragment (paths are appended to it)',
      });
    }
  })
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
    .string({
      error: (issue) =>
        typeof issue.input === 'number'
          ? `needs a unit: write ${issue.input}s, ${issue.input}m, ${issue.input}h or ${issue.input}d`
          : undefined,
    })
    .superRefine((v, ctx) => {
      const message = !DURATION_SHAPE.test(v)
        ? /^\s*-/.test(v)
          ? `must be positive: a duration counts forward, e.g. ${min === '10s' ? '5m' : '30s'}`
          : 'must be a duration such as 30s, 5m, 12h or 14d'
        : durationMs(v) < durationMs(min) || durationMs(v) > durationMs(max)
          ? `must be between ${min} and ${max}${durationMs(v) === 0 ? ' (zero would not wait at all)' : ''}`
          : undefined;
      if (message) ctx.addIssue({ code: 'custom', message });
    });
}

/**
 * An https URL a browser or a remote system will follow (logo, redirect URIs, webhook):
 * never `javascript:`, `data:` or plain http, except plain http on loopback for the sandbox.
 */
function webUrl(
  httpsAdvice = 'must be an https URL (plain http only on localhost/127.0.0.1; no javascript:, data: or other schemes)',
) {
  return z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      if (!checkUrl(value, ctx)) return;
      const url = new URL(value);
      if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))))
        ctx.addIssue({ code: 'custom', message: httpsAdvice });
    });
}

/** PMS checks only the length (PMS_PRT_013); anything but a number is certainly no way to reach the partner. */
const PHONE_NUMBER = /^\+?\(?\d[\d ().-]*\d$/;

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
  contactNumber: z
    .string()
    .min(1)
    .max(16, { message: 'must be at most 16 characters (PMS_PRT_013)' })
    .refine((v) => PHONE_NUMBER.test(v) && (v.match(/\d/g)?.length ?? 0) >= 3, {
      message:
        'must be a phone number: digits, optionally a leading + and spaces or dashes, e.g. "+4930123456" (in quotes)',
    }),
  email: z
    .string()
    .max(254)
    .regex(/^[\w+-]+(\.\w+)*@[\w-]+(\.\w+)*(\.[a-z]{2,})$/, {
      message: 'must be an e-mail address PMS accepts (PMS_PRT_012)',
    }),
  /** PEM files of the partner's CA and certificate; when absent a sandbox-grade pair is generated. */
  certificate: z
    .object({ caCertificateFile: z.string().min(1), certificateFile: z.string().min(1) })
    .strict()
    .optional(),
};

export const deploymentSpecSchema = z
  .object({
    deploymentId: z.string().regex(DEPLOYMENT_ID_PATTERN, {
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
          .object({
            appId: z.string().min(1).default('ida'),
            clientId: z.string().min(1),
            clientSecret: secretRefSchema,
          })
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
            scope: z
              .string()
              .min(1)
              .refine((v) => v.split(/\s+/).includes('openid'), {
                message:
                  'must include openid (e.g. "openid profile"): e-Signet answers an authorization request without it with invalid_scope',
              })
              .default('openid profile'),
            tokenMap: z.string().min(1).default('sub:user_id'),
            /** Name of the g2p.id.type the registrant's e-Signet id is stored as. */
            idTypeName: z.string().min(1).optional(),
            validateResponseMapping: z
              .string()
              .min(1)
              .default('name:name email:email phone:phone_number birthdate:birthdate gender:gender address:address'),
            /** xml-id of the group given to users created at first login ("User types / Portal"). */
            userGroupXmlId: z
              .string()
              .regex(/^[\w]+\.[\w]+$/, { message: 'must be an xml-id: module.name, e.g. base.group_portal' })
              .default('base.group_portal'),
            loginAttribute: z.string().min(1).default('email'),
          })
          .strict()
          .prefault({}),
        /**
         * What verifyPrerequisites does when the login compatibility table says this OpenG2P cannot log in
         * through this e-Signet: `enforce` blocks the run; `warn` reports it and goes on (an OIDC module
         * patched beyond its released versions).
         */
        loginCompatibility: z.enum(['enforce', 'warn']).default('enforce'),
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
            apiKeyLabel: z
              .string()
              .min(1)
              .max(API_KEY_LABEL_MAX, {
                message: `must be at most ${API_KEY_LABEL_MAX} characters (PMS stores labels of at most 36, and a re-issued key adds a suffix)`,
              })
              .optional(),
          })
          .strict(),
        misp: z.object(partnerCommon).strict(),
      })
      .strict()
      .refine((p) => p.auth.id !== p.misp.id, {
        message: 'auth and misp partner ids must differ',
        path: ['misp', 'id'],
      }),
    oidcClient: z
      .object({
        name: z.string().min(1).max(256),
        logoUri: webUrl(
          'must be an https URL: e-Signet shows the logo on its https login page, where browsers block plain http (plain http only on localhost/127.0.0.1)',
        ),
        claims: z
          .array(
            z
              .string()
              .min(1)
              .superRefine((v, ctx) => vocabulary(claimProblem(v), ctx)),
          )
          .max(30)
          .default(['birthdate', 'address', 'gender', 'name', 'phone_number', 'email', 'picture']),
        acrs: z
          .array(
            z
              .string()
              .min(1)
              .superRefine((v, ctx) => vocabulary(acrProblem(v), ctx)),
          )
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
        extraRedirectUris: z.array(webUrl()).max(4).default([]),
      })
      .strict(),
    approval: z
      .object({
        /** Partner Admins who may decide; each proves a decision by signing it with their key. */
        approvers: z
          .array(
            z
              .object({
                name: z
                  .string()
                  .min(1)
                  .max(64)
                  .regex(/^\S+$/, { message: 'must be one word (it is typed as --as <name>)' }),
                email: z.string().optional(),
                // Keys live in the worker's identity registry: a spec that brought its own could
                // name its author as the approver.
                publicKey: z.never({ error: keysNotInSpec }).optional(),
                publicKeyFile: z.never({ error: keysNotInSpec }).optional(),
              })
              .strict(),
          )
          .min(1, { message: 'name at least one approver (a MOSIP Partner Admin)' })
          .superRefine((list, ctx) => {
            // At the repeated name itself, not at the list.
            list.forEach((a, i) => {
              if (list.findIndex((b) => b.name === a.name) < i)
                ctx.addIssue({
                  code: 'custom',
                  path: [i, 'name'],
                  message: `${a.name} is named twice: approver names must be unique`,
                });
            });
          }),
        /** Distinct approvals needed (N of the M approvers); any one rejection ends the run. */
        // A quoted "2" is accepted too: it is what a number looks like in many editors' JSON.
        required: z
          .union(
            [
              z.number(),
              z
                .string()
                .regex(/^\s*\d+\s*$/)
                .transform(Number),
            ],
            { error: 'must be a whole number such as 2' },
          )
          .pipe(z.number().int().min(1, { message: 'must be at least 1: one approval or more' }))
          .default(1),
        /** How often PMS is checked for an approval given in its own portal. */
        pollInterval: durationSchema('1s', '1d').default('1m'),
        /** Reminders to the approvers while the decision is pending. */
        reminderInterval: durationSchema('1s', '30d').optional(),
        /** One escalation message once the wait is this long. */
        escalateAfter: durationSchema('1s', '365d').optional(),
        /** The run ends as timed_out when no decision arrives by then. */
        deadline: durationSchema('1s', '365d').default('14d'),
        /** Where reminders, escalations and the timeout notice are POSTed (JSON). */
        webhookUrl: webUrl().optional(),
        /** Oldest signed decision accepted (replays of old signatures are refused). */
        maxDecisionAge: durationSchema('10s', '1h').default('5m'),
        /**
         * true: the spec's Partner Admin account records the people's decision on PMS.
         * false: PMS approval is given only in the PMS portal; the run proceeds once PMS shows it.
         */
        recordInPms: z.boolean().default(true),
      })
      .strict()
      .refine((a) => a.required <= a.approvers.length, {
        message: 'required approvals exceed the number of approvers',
        path: ['required'],
      })
      .refine(
        ...beforeDeadline(
          'pollInterval',
          'a decision given in the PMS portal would never be seen before the run times out',
        ),
      )
      .refine(...beforeDeadline('reminderInterval', 'no reminder would ever be sent'))
      .refine(...beforeDeadline('escalateAfter', 'the escalation would never be sent')),
    /**
     * The drift watch a completed run leaves behind (README, "Drift watch"): how often the
     * consistency checks run, how near an expiry counts as a warning, and where drift and near
     * expiries are POSTed (else approval.webhookUrl). Absent: daily, 30 days, the approval webhook.
     */
    monitoring: z
      .object({
        interval: durationSchema('1m', '30d').default('1d'),
        expiryHorizon: durationSchema('1d', '365d').default('30d'),
        webhookUrl: webUrl().optional(),
      })
      .strict()
      .optional(),
    /** Optional end-to-end login check: a test identity the ID system knows. */
    verification: z
      .object({
        individualId: z.string().min(1),
        otp: secretRefSchema,
        /** One-time passwords the login check may send per run (one per attempt); past it the run blocks. */
        maxOtps: z.number().int().min(1).max(10).default(2),
      })
      .strict()
      .optional(),
    /**
     * TLS to the spec's systems, always verified. `caFile`: a PEM CA bundle trusted besides the
     * public roots (private MOSIP PKI), read by the worker (relative to its secrets folder).
     */
    tls: z
      .object({ caFile: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * Day-two operations after onboarding. `requireApproval`: which of them wait for the approvers'
     * signed decisions like onboarding does (offboarding always does).
     */
    lifecycle: z
      .object({
        requireApproval: z.array(z.enum(['update', 'rotate-key', 'rotate-credentials', 'renew-certificates'])),
      })
      .strict()
      .optional(),
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
  )
  .refine(
    // Derived values are held to the limits of the given ones: PMS would refuse the label at the API-key step.
    (s) =>
      typeof s.deploymentId !== 'string' ||
      s.partners?.auth?.apiKeyLabel !== undefined ||
      defaultApiKeyLabel(s.deploymentId).length <= API_KEY_LABEL_MAX,
    {
      path: ['deploymentId'],
      error: (issue) => {
        const id = String((issue.input as { deploymentId?: unknown }).deploymentId);
        return (
          `the API-key label derived from it, ${defaultApiKeyLabel(id)}, is ${defaultApiKeyLabel(id).length} characters; PMS labels are held to ${API_KEY_LABEL_MAX}: ` +
          'set partners.auth.apiKeyLabel, or shorten the deployment id'
        );
      },
      when: (payload) => {
        const v = payload.value as { deploymentId?: unknown; partners?: unknown } | undefined;
        return (
          isObject(v) &&
          typeof v.deploymentId === 'string' &&
          DEPLOYMENT_ID_PATTERN.test(v.deploymentId) &&
          (v.partners === undefined || isObject(v.partners))
        );
      },
    },
  );

/**
 * A wait of the approval that must end before its deadline, else it never happens. Checked
 * alongside other problems (`when`), on whatever part of the block is readable.
 */
function beforeDeadline(field: 'pollInterval' | 'reminderInterval' | 'escalateAfter', otherwise: string) {
  const spans = (a: Record<string, unknown>): [number, number] | undefined => {
    const value = a[field];
    const deadline = a.deadline ?? '14d';
    if (
      typeof value !== 'string' ||
      typeof deadline !== 'string' ||
      !DURATION_SHAPE.test(value) ||
      !DURATION_SHAPE.test(deadline)
    )
      return undefined;
    return [durationMs(value), durationMs(deadline)];
  };
  const check = (a: object): boolean => {
    const pair = spans(a as Record<string, unknown>);
    return !pair || pair[0] < pair[1];
  };
  const params = {
    path: [field] as PropertyKey[],
    error: (issue: { input?: unknown }) => {
      const a = issue.input as Record<string, unknown>;
      return `${String(a[field])} is not shorter than approval.deadline (${String(a.deadline ?? '14d')}): ${otherwise}; shorten it or lengthen the deadline`;
    },
    when: (payload: { value: unknown }) => isObject(payload.value),
  };
  return [check, params] as const;
}

/** e-Signet's vocabulary check of one claim or ACR, as an issue. */
function vocabulary(problem: string | undefined, ctx: z.RefinementCtx): void {
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/** Keys are never taken from a spec; private key material there is also burnt, and said so. */
function keysNotInSpec(issue: { input?: unknown }): string {
  const exposed = exposedKey(issue.input);
  return exposed ? `${exposed}. Also, ${KEYS_NOT_IN_SPEC}` : KEYS_NOT_IN_SPEC;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type DeploymentSpec = z.infer<typeof deploymentSpecSchema>;
export type DeploymentSpecInput = z.input<typeof deploymentSpecSchema>;
