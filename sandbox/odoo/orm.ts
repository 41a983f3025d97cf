// A tiny in-memory Odoo ORM: models with typed fields, ACLs by group, and the
// create/write/read/search/unlink/fields_get semantics the external API exposes.
import { accessError, missingError, pyRepr, userError, validationError, valueError } from './errors.js';
import { compileDomain, sortRecords, type DomainModel } from './domain.js';
import {
  convertForRead,
  convertForWrite,
  describeField,
  odooDatetime,
  type FieldDef,
  type RelationLookup,
  type StoredRecord,
} from './fields.js';

export type Operation = 'read' | 'write' | 'create' | 'unlink';

export interface ModelDef {
  name: string;
  /** `_description`, used in access and constraint messages. */
  description: string;
  fields: Record<string, FieldDef>;
  /** `_order`. */
  order: string;
  /** Field shown as the record's name (`_rec_name`). */
  recName?: string;
  displayName?: (record: StoredRecord) => string;
  /** Group xml ids allowed to read; writers may also create and unlink. */
  readGroups: string[];
  writeGroups: string[];
  /** Runs after conversion and NOT NULL checks, before the row is stored (SQL constraints, counters). */
  onCreate?: (row: Record<string, unknown>, model: Model) => void;
}

/** The superuser (`__system__`, uid 1) bypasses access rights, like `sudo()`. */
export const SUPERUSER_ID = 1;

export interface SearchOptions {
  offset?: number;
  limit?: number;
  order?: string;
}

export class Model implements DomainModel {
  readonly records = new Map<number, StoredRecord>();
  private nextId = 1;

  constructor(
    readonly def: ModelDef,
    private readonly db: OdooDatabase,
  ) {}

  get name(): string {
    return this.def.name;
  }
  get fields(): Record<string, FieldDef> {
    return this.def.fields;
  }
  get relations(): RelationLookup {
    return this.db;
  }

  displayName(record: StoredRecord): string {
    if (this.def.displayName) return this.def.displayName(record);
    const name = record[this.def.recName ?? 'name'];
    return typeof name === 'string' ? name : `${this.name},${record.id}`;
  }

  checkAccess(uid: number, operation: Operation): void {
    if (this.db.hasAnyGroup(uid, operation === 'read' ? this.def.readGroups : this.def.writeGroups)) return;
    const heads: Record<Operation, string> = { read: 'access', write: 'modify', create: 'create', unlink: 'delete' };
    const groups = (operation === 'read' ? this.def.readGroups : this.def.writeGroups)
      .map((xmlId) => this.db.groupFullName(xmlId))
      .map((name) => `\t- ${name}`)
      .join('\n');
    throw accessError(
      `You are not allowed to ${heads[operation]} '${this.def.description}' (${this.name}) records.\n\n` +
        `This operation is allowed for the following groups:\n${groups}\n\n` +
        'Contact your administrator to request access if necessary.',
    );
  }

  canWrite(uid: number): boolean {
    return this.db.hasAnyGroup(uid, this.def.writeGroups);
  }

  private field(name: string): FieldDef {
    const field = this.fields[name];
    if (!field) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(this.name)}`);
    return field;
  }

  private browse(ids: unknown, uid: number): StoredRecord[] {
    const list = Array.isArray(ids) ? ids : [ids];
    const missing = list.filter((id) => typeof id !== 'number' || !this.records.has(id));
    if (missing.length) {
      throw missingError(
        `Record does not exist or has been deleted.\n(Record: ${this.name}(${missing.map(String).join(', ')},), User: ${uid})`,
      );
    }
    return list.map((id) => this.records.get(id as number)!);
  }

  /** Converts and validates `vals` in Odoo's order: unknown field, value conversion, NOT NULL. */
  private convertValues(vals: unknown, current: StoredRecord | undefined): Record<string, unknown> {
    if (!vals || typeof vals !== 'object' || Array.isArray(vals)) {
      throw valueError(`Wrong value for ${this.name}: ${pyRepr(vals)}`);
    }
    const converted: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(vals as Record<string, unknown>)) {
      if (MAGIC_FIELDS.has(name)) continue;
      const field = this.field(name);
      if (field.compute) continue;
      converted[name] = convertForWrite(value, {
        model: this.name,
        description: this.def.description,
        fieldName: name,
        field,
        relations: this.db,
        current: current?.[name],
      });
    }
    return converted;
  }

  private checkRequired(record: Record<string, unknown>): void {
    for (const [name, field] of Object.entries(this.fields)) {
      if (!field.required || field.compute || field.type === 'boolean' || field.type === 'integer') continue;
      const value = record[name];
      if (value === false || value === null || value === undefined) {
        // PostgreSQL NOT NULL violation, rewritten by odoo/service/model.py.
        throw validationError(
          'The operation cannot be completed:\n' +
            '- Create/update: a mandatory field is not set.\n' +
            '- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
            `Model: ${this.def.description} (${this.name})\n` +
            `Field: ${field.string} (${name})\n`,
        );
      }
    }
  }

  create(uid: number, vals: unknown): number {
    this.checkAccess(uid, 'create');
    const converted = this.convertValues(vals, undefined);
    const row: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(this.fields)) {
      if (field.compute || MAGIC_FIELDS.has(name)) continue;
      if (name in converted) row[name] = converted[name];
      else if (field.default)
        row[name] = convertForWrite(field.default(), {
          model: this.name,
          description: this.def.description,
          fieldName: name,
          field,
          relations: this.db,
          current: undefined,
        });
      else
        row[name] =
          field.type === 'boolean' ? false : field.type === 'many2many' ? [] : field.type === 'integer' ? 0 : false;
    }
    this.checkRequired(row);
    this.def.onCreate?.(row, this);
    const now = odooDatetime();
    const record: StoredRecord = {
      ...row,
      id: this.nextId++,
      create_uid: uid,
      create_date: now,
      write_uid: uid,
      write_date: now,
    };
    this.records.set(record.id, record);
    return record.id;
  }

  write(uid: number, ids: unknown, vals: unknown): true {
    this.checkAccess(uid, 'write');
    const records = this.browse(ids, uid);
    const updates = records.map((record) => ({ record, values: this.convertValues(vals, record) }));
    for (const { record, values } of updates) this.checkRequired({ ...record, ...values });
    const now = odooDatetime();
    for (const { record, values } of updates) Object.assign(record, values, { write_uid: uid, write_date: now });
    return true;
  }

  unlink(uid: number, ids: unknown): true {
    this.checkAccess(uid, 'unlink');
    const records = this.browse(ids, uid);
    for (const record of records) {
      this.records.delete(record.id);
      this.db.forgetReferences(this.name, record.id);
    }
    return true;
  }

  search(uid: number, domain: unknown, options: SearchOptions = {}): number[] {
    this.checkAccess(uid, 'read');
    const matches = [...this.records.values()].filter(compileDomain(this, domain));
    const sorted = sortRecords(this, matches, options.order || this.def.order);
    const offset = options.offset ?? 0;
    const end = options.limit ? offset + options.limit : undefined;
    return sorted.slice(offset, end).map((record) => record.id);
  }

  searchCount(uid: number, domain: unknown): number {
    this.checkAccess(uid, 'read');
    return [...this.records.values()].filter(compileDomain(this, domain)).length;
  }

  read(
    uid: number,
    ids: unknown,
    fieldNames: unknown,
    context: Record<string, unknown> = {},
  ): Record<string, unknown>[] {
    this.checkAccess(uid, 'read');
    const names = Array.isArray(fieldNames) && fieldNames.length ? (fieldNames as unknown[]) : Object.keys(this.fields);
    for (const name of names) if (typeof name !== 'string' || !this.fields[name]) this.field(String(name));
    return this.browse(ids, uid).map((record) => {
      const row: Record<string, unknown> = { id: record.id };
      for (const name of names as string[]) {
        const field = this.fields[name]!;
        const stored = field.compute ? field.compute(record) : record[name];
        const binSize = context.bin_size === true || context[`bin_size_${name}`] === true;
        row[name] = name === 'id' ? record.id : convertForRead(stored, field, this.db, binSize);
      }
      return row;
    });
  }

  fieldsGet(uid: number, allfields: unknown, attributes: unknown): Record<string, Record<string, unknown>> {
    // Users without write access see every field as readonly, as fields_get reports it.
    const readonly = !this.canWrite(uid);
    const wanted = Array.isArray(allfields) && allfields.length ? new Set(allfields as string[]) : undefined;
    const keep = Array.isArray(attributes) && attributes.length ? new Set(attributes as string[]) : undefined;
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, field] of Object.entries(this.fields)) {
      if (wanted && !wanted.has(name)) continue;
      const description = describeField(name, field, readonly);
      out[name] = keep ? Object.fromEntries(Object.entries(description).filter(([key]) => keep.has(key))) : description;
    }
    return out;
  }
}

/** Fields the ORM maintains itself; values sent for them are ignored. */
const MAGIC_FIELDS = new Set([
  'id',
  'display_name',
  'create_uid',
  'create_date',
  'write_uid',
  'write_date',
  '__last_update',
]);

/** The standard fields every model has (`__last_update` only until Odoo 16). */
export function magicFields(odooVersion: 15 | 17): Record<string, FieldDef> {
  const fields: Record<string, FieldDef> = {
    id: { type: 'integer', string: 'ID', readonly: true },
    display_name: { type: 'char', string: 'Display Name', compute: () => undefined },
    create_uid: { type: 'many2one', string: 'Created by', relation: 'res.users', readonly: true },
    create_date: { type: 'datetime', string: 'Created on', readonly: true },
    write_uid: { type: 'many2one', string: 'Last Updated by', relation: 'res.users', readonly: true },
    write_date: { type: 'datetime', string: 'Last Updated on', readonly: true },
  };
  if (odooVersion === 15)
    fields.__last_update = { type: 'datetime', string: 'Last Modified on', compute: (r) => r.write_date };
  return fields;
}

export class OdooDatabase implements RelationLookup {
  readonly models = new Map<string, Model>();
  /** xml id (`base.group_portal`) → [model, res_id]. */
  readonly xmlIds = new Map<string, [string, number]>();

  constructor(
    readonly name: string,
    readonly odooVersion: 15 | 17,
  ) {}

  define(def: ModelDef): Model {
    const model = new Model(def, this);
    const magic = magicFields(this.odooVersion);
    magic.display_name = { ...magic.display_name!, compute: (record) => model.displayName(record) };
    def.fields = { ...magic, ...def.fields };
    this.models.set(def.name, model);
    return model;
  }

  /** `env[model]` over RPC: unknown models are a UserError. */
  model(name: unknown): Model {
    const model = typeof name === 'string' ? this.models.get(name) : undefined;
    if (!model) throw userError(`Object ${String(name)} doesn't exist`);
    return model;
  }

  exists(model: string, id: number): boolean {
    return this.models.get(model)?.records.has(id) ?? false;
  }

  displayName(model: string, id: number): string {
    const m = this.models.get(model);
    const record = m?.records.get(id);
    return m && record ? m.displayName(record) : `${model},${id}`;
  }

  xmlIdToResId(xmlId: string): number | undefined {
    return this.xmlIds.get(xmlId)?.[1];
  }

  userGroupIds(uid: number): number[] {
    const user = this.models.get('res.users')?.records.get(uid);
    return user && Array.isArray(user.groups_id) ? (user.groups_id as number[]) : [];
  }

  hasAnyGroup(uid: number, groupXmlIds: string[]): boolean {
    if (uid === SUPERUSER_ID) return true;
    const mine = new Set(this.userGroupIds(uid));
    return groupXmlIds.some((xmlId) => {
      const id = this.xmlIdToResId(xmlId);
      return id !== undefined && mine.has(id);
    });
  }

  groupFullName(xmlId: string): string {
    const id = this.xmlIdToResId(xmlId);
    return id === undefined ? xmlId : this.displayName('res.groups', id);
  }

  /** ondelete='set null' for many2one, and unlinking from many2many sets. */
  forgetReferences(model: string, id: number): void {
    for (const other of this.models.values()) {
      for (const [name, field] of Object.entries(other.fields)) {
        if (field.relation !== model || field.compute) continue;
        for (const record of other.records.values()) {
          if (field.type === 'many2one' && record[name] === id) record[name] = false;
          if (field.type === 'many2many' && Array.isArray(record[name])) {
            record[name] = (record[name] as number[]).filter((linked) => linked !== id);
          }
        }
      }
    }
  }
}
