// `odoo.api.call_kw`: binds RPC `args`/`kwargs` to the public ORM methods like Python would
// (same TypeError texts), then runs them as the calling user.
import { accessError, OdooException, typeError } from './errors.js';
import type { Model, OdooDatabase } from './orm.js';

/** Python-style parameter list: name and whether it has a default. */
type Params = [name: string, optional: boolean][];

interface MethodSpec {
  /** Record methods take the ids as the first positional argument (`call_kw_multi`). */
  onRecords: boolean;
  params: (version: 15 | 17) => Params;
  run: (ctx: CallContext, bound: Record<string, unknown>) => unknown;
}

interface CallContext {
  db: OdooDatabase;
  model: Model;
  uid: number;
  ids: unknown;
  context: Record<string, unknown>;
}

const opt = (name: string): [string, boolean] => [name, true];
const req = (name: string): [string, boolean] => [name, false];

const asNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function createAll(ctx: CallContext, valsList: unknown): number | number[] {
  const list = Array.isArray(valsList) ? valsList : [valsList];
  const created: number[] = [];
  try {
    for (const vals of list) created.push(ctx.model.create(ctx.uid, vals));
  } catch (err) {
    // The whole RPC runs in one transaction: nothing of a failed batch stays.
    for (const id of created) ctx.model.records.delete(id);
    throw err;
  }
  return Array.isArray(valsList) ? created : created[0]!;
}

const METHODS: Record<string, MethodSpec> = {
  search: {
    onRecords: false,
    params: (v) => [req('domain'), opt('offset'), opt('limit'), opt('order'), ...(v === 15 ? [opt('count')] : [])],
    run: (c, b) => {
      const opts = { offset: asNumber(b.offset), limit: asNumber(b.limit), order: asString(b.order) };
      return b.count === true ? c.model.searchCount(c.uid, b.domain) : c.model.search(c.uid, b.domain, opts);
    },
  },
  search_count: {
    onRecords: false,
    params: (v) => [req('domain'), ...(v === 17 ? [opt('limit')] : [])],
    run: (c, b) => {
      const count = c.model.searchCount(c.uid, b.domain);
      const limit = asNumber(b.limit);
      return limit ? Math.min(count, limit) : count;
    },
  },
  search_read: {
    onRecords: false,
    params: () => [opt('domain'), opt('fields'), opt('offset'), opt('limit'), opt('order'), opt('load')],
    run: (c, b) => {
      const ids = c.model.search(c.uid, b.domain ?? [], {
        offset: asNumber(b.offset),
        limit: asNumber(b.limit),
        order: asString(b.order),
      });
      return ids.length ? c.model.read(c.uid, ids, b.fields, c.context) : [];
    },
  },
  read: {
    onRecords: true,
    params: () => [opt('fields'), opt('load')],
    run: (c, b) => c.model.read(c.uid, c.ids, b.fields, c.context),
  },
  create: { onRecords: false, params: () => [req('vals_list')], run: (c, b) => createAll(c, b.vals_list) },
  write: { onRecords: true, params: () => [req('vals')], run: (c, b) => c.model.write(c.uid, c.ids, b.vals) },
  unlink: { onRecords: true, params: () => [], run: (c) => c.model.unlink(c.uid, c.ids) },
  fields_get: {
    onRecords: false,
    params: () => [opt('allfields'), opt('attributes')],
    run: (c, b) => c.model.fieldsGet(c.uid, b.allfields, b.attributes),
  },
  name_search: {
    onRecords: false,
    params: () => [opt('name'), opt('args'), opt('operator'), opt('limit')],
    run: (c, b) => {
      const name = asString(b.name) ?? '';
      const domain = [
        ...(Array.isArray(b.args) ? b.args : []),
        ...(name ? [[c.model.def.recName ?? 'name', asString(b.operator) ?? 'ilike', name]] : []),
      ];
      const ids = c.model.search(c.uid, domain, { limit: asNumber(b.limit) ?? 100 });
      return ids.map((id) => [id, c.db.displayName(c.model.name, id)]);
    },
  },
  // ir.config_parameter (odoo/addons/base/models/ir_config_parameter.py, 15 and 17): values are strings.
  get_param: {
    onRecords: false,
    params: () => [req('key'), opt('default')],
    run: (c, b) => {
      if (c.model.name !== 'ir.config_parameter') throw noAttribute(c.model.name, 'get_param');
      c.model.checkAccess(c.uid, 'read');
      const [id] = c.model.search(c.uid, [['key', '=', b.key]], { limit: 1 });
      const value = id === undefined ? undefined : c.model.records.get(id)!.value;
      return value || (b.default ?? false);
    },
  },
  set_param: {
    onRecords: false,
    params: () => [req('key'), req('value')],
    run: (c, b) => {
      if (c.model.name !== 'ir.config_parameter') throw noAttribute(c.model.name, 'set_param');
      const [id] = c.model.search(c.uid, [['key', '=', b.key]], { limit: 1 });
      const unset = b.value === false || b.value === null || b.value === undefined;
      if (id === undefined) {
        if (!unset) c.model.create(c.uid, { key: b.key, value: b.value });
        return false;
      }
      const old = c.model.records.get(id)!.value;
      if (unset) c.model.unlink(c.uid, [id]);
      else if (String(b.value) !== old) c.model.write(c.uid, [id], { value: b.value });
      return old;
    },
  },
  check_object_reference: {
    onRecords: false,
    params: () => [req('module'), req('xml_id'), opt('raise_on_access_error')],
    run: (c, b) => {
      if (c.model.name !== 'ir.model.data') throw noAttribute(c.model.name, 'check_object_reference');
      c.model.checkAccess(c.uid, 'read');
      const ref = c.db.xmlIds.get(`${String(b.module)}.${String(b.xml_id)}`);
      if (!ref)
        throw new OdooException(
          'builtins.ValueError',
          `External ID not found in the system: ${String(b.module)}.${String(b.xml_id)}`,
        );
      return ref;
    },
  },
};

function noAttribute(model: string, method: string): OdooException {
  return new OdooException('builtins.AttributeError', `type object '${model}' has no attribute '${method}'`);
}

function bind(
  method: string,
  params: Params,
  args: unknown[],
  kwargs: Record<string, unknown>,
): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  // Python counts `self` among positional arguments in its messages.
  if (args.length > params.length) {
    const required = params.filter(([, optional]) => !optional).length;
    const takes = required === params.length ? `${params.length + 1}` : `from ${required + 1} to ${params.length + 1}`;
    throw typeError(`${method}() takes ${takes} positional arguments but ${args.length + 1} were given`);
  }
  args.forEach((value, index) => (bound[params[index]![0]] = value));
  for (const [key, value] of Object.entries(kwargs)) {
    if (!params.some(([name]) => name === key))
      throw typeError(`${method}() got an unexpected keyword argument '${key}'`);
    if (key in bound) throw typeError(`${method}() got multiple values for argument '${key}'`);
    bound[key] = value;
  }
  const missing = params.filter(([name, optional]) => !optional && !(name in bound)).map(([name]) => `'${name}'`);
  if (missing.length) {
    throw typeError(
      `${method}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${missing.join(' and ')}`,
    );
  }
  return bound;
}

/** Rejects private methods exactly like `check_method_name`. */
export function checkMethodName(method: string): void {
  if (method.startsWith('_')) throw accessError(`Private methods (such as ${method}) cannot be called remotely.`);
}

export function callKw(
  db: OdooDatabase,
  uid: number,
  model: Model,
  method: string,
  args: unknown,
  kwargs: unknown,
): unknown {
  if (!Array.isArray(args)) throw typeError(`call_kw() argument after * must be an iterable, not ${typeof args}`);
  const kw =
    kwargs && typeof kwargs === 'object' && !Array.isArray(kwargs) ? { ...(kwargs as Record<string, unknown>) } : {};
  const context = (kw.context && typeof kw.context === 'object' ? kw.context : {}) as Record<string, unknown>;
  delete kw.context;
  const spec = METHODS[method];
  const modelOnly: Record<string, string> = {
    check_object_reference: 'ir.model.data',
    get_param: 'ir.config_parameter',
    set_param: 'ir.config_parameter',
  };
  if (!spec || (modelOnly[method] !== undefined && model.name !== modelOnly[method]))
    throw noAttribute(model.name, method);
  let positional = args;
  let ids: unknown;
  if (spec.onRecords) {
    if (!args.length) throw new OdooException('builtins.IndexError', 'list index out of range');
    ids = args[0];
    positional = args.slice(1);
  }
  const bound = bind(method, spec.params(db.odooVersion), positional, kw);
  return spec.run({ db, model, uid, ids, context }, bound) ?? null;
}
