// OpenG2P (Odoo) external API over JSON-RPC (`/jsonrpc`, common + object services) and the
// public login page. Every object call re-sends (db, uid, password), as Odoo re-checks them.
import { z } from 'zod';
import { ContractViolation, RemoteRejection, TransientRemoteError } from './errors.js';
import { HttpClient, parseResponse, type HttpOptions } from './http.js';

const JSONRPC_ENDPOINT = '/jsonrpc';
/** ORM methods that change records: their calls get the longer write timeout. */
const WRITING_METHODS = new Set(['create', 'write', 'unlink']);
const LOGIN_PAGE = '/web/login';

const rpcErrorSchema = z.object({
  code: z.number(),
  message: z.string(),
  data: z
    .object({
      name: z.string(),
      message: z.string(),
      arguments: z.array(z.unknown()).optional(),
      debug: z.string().optional(),
    })
    .optional(),
});

const rpcEnvelopeSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.number(), z.string(), z.null()]).optional(),
  result: z.unknown().optional(),
  error: rpcErrorSchema.optional(),
});

const versionSchema = z.object({
  server_version: z.string(),
  server_version_info: z.array(z.union([z.number(), z.string()])),
  server_serie: z.string(),
  protocol_version: z.number(),
});

const fieldInfoSchema = z.object({
  type: z.string(),
  string: z.string(),
  required: z.boolean().optional(),
  selection: z.array(z.tuple([z.union([z.string(), z.number()]).transform(String), z.string()])).optional(),
  relation: z.string().optional(),
});

export type OdooFieldInfo = z.infer<typeof fieldInfoSchema>;

const recordsSchema = z.array(z.looseObject({ id: z.number().int() }));

/** A psycopg2 error is the database talking: a missing database will stay missing, a lost connection may come back. */
function isTransientDatabaseError(name: string, message: string): boolean {
  return name.startsWith('psycopg2.') && !/does not exist/.test(message);
}

const decodeHtml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');

export class OdooClient {
  private readonly http: HttpClient;
  private nextRequestId = 1;

  constructor(
    baseUrl: string,
    private readonly database: string,
    opts?: HttpOptions,
  ) {
    this.http = new HttpClient('odoo', baseUrl, opts);
  }

  /** One JSON-RPC call; Odoo's error envelope (HTTP 200) becomes a typed error. */
  private async call(service: 'common' | 'object', method: string, args: unknown[], write = false): Promise<unknown> {
    const requestId = this.nextRequestId++;
    const endpoint = `${JSONRPC_ENDPOINT} ${service}.${method}`;
    const res = await this.http.send(JSONRPC_ENDPOINT, {
      method: 'POST',
      json: { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: requestId },
      write,
    });
    this.http.failOnTransientStatus(res, endpoint);
    if (res.status !== 200) {
      throw new ContractViolation('odoo', endpoint, `HTTP ${res.status}; is ${this.http.baseUrl} an Odoo server?`);
    }
    const body = parseResponse('odoo', endpoint, rpcEnvelopeSchema, this.http.parseJson(res, endpoint));
    if (body.id !== requestId)
      throw new ContractViolation(
        'odoo',
        endpoint,
        `response id ${String(body.id)} does not echo request id ${requestId}`,
      );
    if (body.error) {
      const name = body.error.data?.name ?? `jsonrpc.${body.error.code}`;
      const message = body.error.data?.message ?? body.error.message;
      if (isTransientDatabaseError(name, message))
        throw new TransientRemoteError('odoo', `${endpoint}: ${name}: ${message}`);
      throw new RemoteRejection('odoo', name, message);
    }
    if (!('result' in body))
      throw new ContractViolation('odoo', endpoint, 'neither result nor error in the JSON-RPC response');
    return body.result;
  }

  async version(): Promise<{ serverVersion: string; majorVersion: number }> {
    const info = parseResponse('odoo', 'common.version', versionSchema, await this.call('common', 'version', []));
    // server_version_info[0] is a number on releases, "saas~17" on SaaS builds.
    const major = /(\d+)/.exec(String(info.server_version_info[0] ?? info.server_serie));
    if (!major) throw new ContractViolation('odoo', 'common.version', `no major version in ${info.server_version}`);
    return { serverVersion: info.server_version, majorVersion: Number(major[1]) };
  }

  /** The uid; a wrong login or password is an AccessDenied rejection (Odoo itself answers `false`). */
  async authenticate(login: string, password: string): Promise<number> {
    const result = await this.call('common', 'authenticate', [this.database, login, password, {}]);
    const uid = parseResponse('odoo', 'common.authenticate', z.union([z.number().int(), z.literal(false)]), result);
    if (uid === false) {
      throw new RemoteRejection(
        'odoo',
        'odoo.exceptions.AccessDenied',
        `Access Denied: login "${login}" with this password is not accepted by database "${this.database}"; check the OpenG2P admin login and its password secret`,
      );
    }
    return uid;
  }

  executeKw(
    uid: number,
    password: string,
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    return this.call(
      'object',
      'execute_kw',
      [this.database, uid, password, model, method, args, kwargs],
      WRITING_METHODS.has(method),
    );
  }

  async fieldsGet(uid: number, password: string, model: string): Promise<Record<string, OdooFieldInfo>> {
    const result = await this.executeKw(uid, password, model, 'fields_get', [], {
      attributes: ['type', 'string', 'required', 'selection', 'relation'],
    });
    return parseResponse('odoo', `${model}.fields_get`, z.record(z.string(), fieldInfoSchema), result);
  }

  async searchRead<T = Record<string, unknown>>(
    uid: number,
    password: string,
    model: string,
    domain: unknown[],
    fields: string[],
    limit?: number,
  ): Promise<(T & { id: number })[]> {
    const kwargs: Record<string, unknown> = { fields };
    if (limit !== undefined) kwargs.limit = limit;
    const result = await this.executeKw(uid, password, model, 'search_read', [domain], kwargs);
    return parseResponse('odoo', `${model}.search_read`, recordsSchema, result) as (T & { id: number })[];
  }

  async create(uid: number, password: string, model: string, values: Record<string, unknown>): Promise<number> {
    const result = await this.executeKw(uid, password, model, 'create', [values]);
    return parseResponse('odoo', `${model}.create`, z.number().int().positive(), result);
  }

  async write(
    uid: number,
    password: string,
    model: string,
    ids: number[],
    values: Record<string, unknown>,
  ): Promise<void> {
    const result = await this.executeKw(uid, password, model, 'write', [ids, values]);
    parseResponse('odoo', `${model}.write`, z.literal(true), result);
  }

  /** Resolves an xml id such as `base.group_portal` through ir.model.data (the private helper is not callable over RPC). */
  async xmlIdToResId(uid: number, password: string, xmlId: string): Promise<number | undefined> {
    const dot = xmlId.indexOf('.');
    if (dot <= 0 || dot === xmlId.length - 1) {
      throw new RangeError(`xml id "${xmlId}": must be "<module>.<name>", e.g. "base.group_portal"`);
    }
    const [row] = await this.searchRead<{ res_id: number }>(
      uid,
      password,
      'ir.model.data',
      [
        ['module', '=', xmlId.slice(0, dot)],
        ['name', '=', xmlId.slice(dot + 1)],
      ],
      ['res_id', 'model'],
      1,
    );
    return row ? parseResponse('odoo', 'ir.model.data.search_read', z.number().int(), row.res_id) : undefined;
  }

  /** The OAuth buttons of the public login page, in page order, with their authorize links. */
  async loginPageProviders(): Promise<{ label: string; authLink: string }[]> {
    const res = await this.http.send(LOGIN_PAGE, { method: 'GET', headers: { accept: 'text/html' } });
    this.http.failOnTransientStatus(res, LOGIN_PAGE);
    if (res.status !== 200) throw new ContractViolation('odoo', LOGIN_PAGE, `HTTP ${res.status}`);
    const block = /<div[^>]*class="[^"]*\bo_auth_oauth_providers\b[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(res.text);
    if (!block) return [];
    const providers: { label: string; authLink: string }[] = [];
    for (const anchor of block[1]!.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/g)) {
      const href = /\bhref="([^"]*)"/.exec(anchor[1]!);
      if (!href) continue;
      const label = decodeHtml(anchor[2]!.replace(/<[^>]*>/g, ''))
        .replace(/\s+/g, ' ')
        .trim();
      providers.push({ label, authLink: decodeHtml(href[1]!) });
    }
    return providers;
  }
}
