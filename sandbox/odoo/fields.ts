// Field definitions and the value conversions Odoo's ORM applies on write and on read
// (`convert_to_cache` / `convert_to_read`), including the exact ValueError wording.
import { pyRepr, typeError, valueError, validationError } from './errors.js';

export type FieldType =
  | 'char'
  | 'text'
  | 'boolean'
  | 'integer'
  | 'selection'
  | 'many2one'
  | 'many2many'
  | 'binary'
  | 'datetime'
  | 'many2one_reference';

export interface FieldDef {
  type: FieldType;
  /** The label (`string` in fields_get). */
  string: string;
  required?: boolean;
  readonly?: boolean;
  help?: string;
  selection?: [string, string][];
  relation?: string;
  translate?: boolean;
  /** Default on create; a function so random defaults (code_verifier) differ per record. */
  default?: () => unknown;
  /** Non-stored computed field: never written, read from the record. */
  compute?: (record: StoredRecord) => unknown;
}

/** A row as stored: column values after conversion, unset values as `false`. */
export type StoredRecord = Record<string, unknown> & { id: number };

/** What conversions need to know about other models (many2one targets exist, display names). */
export interface RelationLookup {
  exists(model: string, id: number): boolean;
  displayName(model: string, id: number): string;
}

export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Odoo's datetime wire format: `YYYY-MM-DD HH:MM:SS`, UTC. */
export function odooDatetime(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function foreignKeyViolation(model: string, description: string, field: string): Error {
  // Odoo turns the PostgreSQL FK violation into this ValidationError text (service/model.py) (inferred wording).
  return validationError(
    'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n' +
      `Model: ${description} (${model}), Constraint: ${model.replace(/\./g, '_')}_${field}_fkey`,
  );
}

export interface ConvertContext {
  model: string;
  description: string;
  fieldName: string;
  field: FieldDef;
  relations: RelationLookup;
  /** Current value, for many2many commands that link/unlink relative to it. */
  current: unknown;
}

/** Converts an RPC value to its stored form, raising what Odoo raises for bad values. */
export function convertForWrite(value: unknown, c: ConvertContext): unknown {
  const { field } = c;
  const wrong = () => valueError(`Wrong value for ${c.model}.${c.fieldName}: ${pyRepr(value)}`);
  const empty = value === false || value === null || value === undefined;
  switch (field.type) {
    case 'char':
    case 'text':
      if (empty) return false;
      return typeof value === 'string' ? value : pyRepr(value);
    case 'binary':
      return empty || value === '' ? false : typeof value === 'string' ? value : pyRepr(value);
    case 'boolean':
      return pyTruthy(value);
    case 'integer':
    case 'many2one_reference': {
      if (!pyTruthy(value)) return 0;
      const n =
        typeof value === 'number'
          ? Math.trunc(value)
          : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)
            ? Number(value)
            : NaN;
      if (Number.isNaN(n)) throw valueError(`invalid literal for int() with base 10: ${pyRepr(value)}`);
      return n;
    }
    case 'selection':
      if (empty) return false;
      if (typeof value !== 'string' || !field.selection?.some(([key]) => key === value)) throw wrong();
      return value;
    case 'datetime':
      if (empty) return false;
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(value)) throw wrong();
      return value.length === 10 ? `${value} 00:00:00` : value;
    case 'many2one': {
      if (empty || value === 0) return false;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      if (!c.relations.exists(field.relation!, value)) throw foreignKeyViolation(c.model, c.description, c.fieldName);
      return value;
    }
    case 'many2many':
      return applyX2manyCommands(value, c, wrong);
  }
}

function applyX2manyCommands(value: unknown, c: ConvertContext, wrong: () => Error): number[] {
  if (value === false || value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw wrong();
  let ids = Array.isArray(c.current) ? [...(c.current as number[])] : [];
  const link = (id: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) throw wrong();
    if (!c.relations.exists(c.field.relation!, id)) throw foreignKeyViolation(c.model, c.description, c.fieldName);
    if (!ids.includes(id)) ids.push(id);
  };
  // A plain list of ids means "replace the set", like [6, 0, ids].
  if (value.every((item) => typeof item === 'number')) {
    ids = [];
    value.forEach(link);
    return ids;
  }
  for (const command of value) {
    if (!Array.isArray(command) || typeof command[0] !== 'number') throw wrong();
    const [op, id, arg] = command as [number, unknown, unknown];
    if (op === 6) {
      if (!Array.isArray(arg)) throw wrong();
      ids = [];
      arg.forEach(link);
    } else if (op === 4) link(id);
    else if (op === 3 || op === 2) ids = ids.filter((existing) => existing !== id);
    else if (op === 5) ids = [];
    else if (op === 0 || op === 1) {
      // Creating or editing related records through a command is not served by the sandbox.
      throw typeError(`x2many command ${op} on ${c.model}.${c.fieldName} is not supported by the sandbox`);
    } else throw wrong();
  }
  return ids;
}

/** `convert_to_read`: unset values read as `false`, many2one as `[id, display_name]`. */
export function convertForRead(stored: unknown, field: FieldDef, relations: RelationLookup, binSize: boolean): unknown {
  switch (field.type) {
    case 'integer':
    case 'many2one_reference':
      return typeof stored === 'number' ? stored : 0;
    case 'boolean':
      return stored === true;
    case 'many2one':
      return typeof stored === 'number' ? [stored, relations.displayName(field.relation!, stored)] : false;
    case 'many2many':
      return Array.isArray(stored) ? [...stored] : [];
    case 'binary':
      if (typeof stored !== 'string') return false;
      // `bin_size` reads come from pg_size_pretty(length(column)).
      return binSize ? prettySize(stored.length) : stored;
    default:
      return stored === undefined || stored === null ? false : stored;
  }
}

function prettySize(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB'];
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 10 * 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${Math.round(size)} ${units[unit]}`;
}

/** The attributes `fields_get` reports for a field. */
export function describeField(name: string, field: FieldDef, readonlyForUser: boolean): Record<string, unknown> {
  const description: Record<string, unknown> = {
    type: field.type,
    string: field.string,
    required: field.required ?? false,
    readonly: readonlyForUser || (field.readonly ?? false) || field.compute !== undefined,
    store: field.compute === undefined,
    searchable: true,
    sortable: field.compute === undefined && field.type !== 'many2many' && field.type !== 'binary',
    manual: false,
    depends: [],
    company_dependent: false,
    change_default: false,
    name,
  };
  if (field.help) description.help = field.help;
  if (field.type === 'char' || field.type === 'text') description.translate = field.translate ?? false;
  if (field.type === 'selection') description.selection = field.selection!.map(([k, v]) => [k, v]);
  if (field.relation) {
    description.relation = field.relation;
    description.context = {};
    description.domain = [];
  }
  return description;
}
