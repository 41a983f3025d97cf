// e-Signet's own OpenAPI documents (shared/reference/openapi, v1.4.1 and v1.7.0), loaded at test
// time and applied with ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses). ajv is a devDependency
// because hand-rolling $ref, formats and 2020-12 keywords would be a second validator to trust.
// Where a document and e-Signet's code disagree the code wins (SOURCES.md): those few rules are
// listed in OVERRIDES with the source that says so, never silently skipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { projectRoot } from '../../src/project-root.js';
import { CLAIMS_SUPPORTED } from '../../sandbox/esignet/discovery.js';

// ajv-formats is CommonJS: Node hands over module.exports (the plugin), TypeScript types it as the namespace.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const formats = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = formats.default ?? formats;

export type EsignetDocVersion = '1.4.1' | '1.7.0';

/** CI lays shared/ beside the clone; so does every developer checkout. */
export const OPENAPI_DIR = join(projectRoot, '..', 'shared', 'reference', 'openapi');
export const openApiAvailable = (): boolean => existsSync(join(OPENAPI_DIR, 'esignet-v1.7.0-openapi.yaml'));

interface Operation {
  template: string;
  method: string;
  requestTypes: string[];
  responses: Record<string, string[]>;
}

const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A documented rule the code does not follow (keyword + where), and why the code wins.
 * `allows` decides, from the offending value, whether the code accepts it.
 */
interface Override {
  /** Document versions the rule is overridden in. */
  versions: EsignetDocVersion[];
  keyword: string;
  at: RegExp;
  allows: (value: unknown) => boolean;
  source: string;
}

const OVERRIDES: Override[] = [
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'maxLength',
    at: /^\/request\/(clientId|relyingPartyId)$/,
    allows: (v) => typeof v === 'string' && v.length <= 100,
    source: 'documents say 50; ClientDetailCreateRequest checks ≤ 100 (esignet.md §1.1)',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'enum',
    at: /^\/request\/userClaims\/\d+$/,
    allows: (v) => typeof v === 'string' && CLAIMS_SUPPORTED.includes(v),
    source: "the code's whitelist is discovery's claims_supported, incl. individual_id (esignet.md §1.1, §3)",
  },
  {
    versions: ['1.7.0'],
    keyword: 'required',
    at: /^\/request$/,
    allows: (missing) => missing === 'clientNameLangMap',
    source:
      'v1.7.0 document requires clientNameLangMap on /client-mgmt/client; @NotEmpty only up to v1.4.x, optional since 1.5',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'enum',
    at: /^\/request\/status$/,
    allows: (v) => v === 'ACTIVE' || v === 'INACTIVE',
    source: 'documents say active|inactive; ClientDetailUpdateRequest matches ^(ACTIVE|INACTIVE)$ (esignet.md §1.4)',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'type',
    at: /^\/response$/,
    allows: (v) => v === null,
    source: 'ResponseWrapper sends `response: null` beside errors[] (esignet.md §0)',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'enum',
    at: /^\/request\/otpChannels\/\d+$/,
    allows: (v) => v === 'email' || v === 'phone',
    source:
      'documents say sms / phone; the shipped config is mosip.esignet.authenticator.ida.otp-channels=email,phone (v1.4.1 properties)',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'enum',
    at: /^\/response\/authFactors\/\d+\/\d+\/type$/,
    allows: (v) => ['PIN', 'OTP', 'BIO', 'WALLET', 'WLA', 'KBI', 'PWD', 'IDT'].includes(String(v)),
    source: "documents list AMR names; authFactors carry amr_acr_mapping.json's factor types (esignet.md §3)",
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'required',
    at: /^\/keys\/\d+$/,
    allows: (missing) => missing === 'use' || missing === 'alg',
    source: 'OAuthServiceImpl.getJwk adds use/alg only when the certificate names them (v1.4.1)',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'type',
    at: /^\/keys\/\d+\/exp$/,
    allows: (v) => Number.isInteger(v),
    source: 'OAuthServiceImpl.getJwk writes exp as epoch seconds (expireAt.toEpochSecond, v1.4.1), not an ISO string',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'required',
    at: /^$/,
    allows: (missing) => missing === 'registration_endpoint',
    source:
      'discovery is mosip.esignet.discovery.key-values, whose defaults have no registration_endpoint (esignet.md §2.1)',
  },
  {
    versions: ['1.4.1', '1.7.0'],
    keyword: 'const',
    at: /^\/(id_token_signing_alg_values_supported|token_endpoint_auth_signing_alg_values_supported)\/\d+$/,
    allows: (v) => ['RS256', 'PS256', 'ES256'].includes(String(v)),
    source:
      'defaults advertise RS256, PS256 (and ES256 for assertions from 1.7) — documents show RS256 only (esignet.md §2.1, §5)',
  },
];

export class EsignetOpenApi {
  private readonly ajv;
  private readonly operations: Operation[] = [];
  private readonly key: string;

  constructor(readonly version: EsignetDocVersion) {
    const doc = parse(readFileSync(join(OPENAPI_DIR, `esignet-v${version}-openapi.yaml`), 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content?: Record<string, unknown> };
            responses?: Record<string, { content?: Record<string, unknown> }>;
          }
        >
      >;
    };
    this.key = `esignet-${version}`;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, this.key);
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const responses: Record<string, string[]> = {};
        for (const [code, r] of Object.entries(op.responses ?? {})) responses[code] = Object.keys(r.content ?? {});
        this.operations.push({
          template,
          method: method.toUpperCase(),
          requestTypes: Object.keys(op.requestBody?.content ?? {}),
          responses,
        });
      }
    }
  }

  /** The documented operation for a service path (relative to `/v1/esignet`), if any. */
  operation(method: string, path: string): Operation | undefined {
    return this.operations.find((op) => {
      if (op.method !== method) return false;
      const pattern = op.template
        .split('/')
        .map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      return new RegExp(`^${pattern}$`).test(path);
    });
  }

  private validator(op: Operation, where: string, contentType: string): ValidateFunction {
    const ref = `${this.key}#/paths/${pointer(op.template)}/${op.method.toLowerCase()}/${where}/content/${pointer(contentType)}/schema`;
    const validate = this.ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema at ${ref}`);
    return validate;
  }

  /** Problems of a request body against the documented schema (after OVERRIDES). */
  checkRequest(op: Operation, contentType: string, body: unknown): string[] {
    const type = op.requestTypes.find((t) => contentType.startsWith(t));
    if (!type)
      return [
        `content type ${contentType || '(none)'} is not one of ${op.requestTypes.join(', ') || '(no body documented)'}`,
      ];
    return this.run(this.validator(op, 'requestBody', type), body);
  }

  /** Problems of a response body; undefined when the document describes no body for that status. */
  checkResponse(op: Operation, status: number, body: unknown): string[] | undefined {
    const types = op.responses[String(status)];
    if (!types?.includes('application/json')) return undefined;
    return this.run(this.validator(op, `responses/${status}`, 'application/json'), body);
  }

  private run(validate: ValidateFunction, body: unknown): string[] {
    if (validate(body)) return [];
    return (validate.errors ?? [])
      .filter((e) => !overridden(this.version, e, body))
      .map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`);
  }
}

function valueAt(body: unknown, instancePath: string): unknown {
  return instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), body);
}

function overridden(version: EsignetDocVersion, error: ErrorObject, body: unknown): boolean {
  return OVERRIDES.some((o) => {
    if (!o.versions.includes(version) || o.keyword !== error.keyword || !o.at.test(error.instancePath)) return false;
    const value =
      error.keyword === 'required'
        ? (error.params as { missingProperty: string }).missingProperty
        : valueAt(body, error.instancePath);
    return o.allows(value);
  });
}
