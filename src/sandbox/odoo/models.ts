// The models the onboarding touches, with the ACL lines Odoo ships, and the seed data of a
// fresh OpenG2P database: companies, user-type groups with their xml ids, ID types, users.
import { validationError } from './errors.js';
import { OdooDatabase, type Model } from './orm.js';
import { providerFields } from './provider-fields.js';
import type { FieldDef, StoredRecord } from './fields.js';

const SYSTEM = ['base.group_system'];
const INTERNAL = ['base.group_user'];

export interface SeedUsers {
  adminLogin: string;
  adminPassword: string;
  nonAdminLogin: string;
  nonAdminPassword: string;
}

export interface SeededDatabase {
  db: OdooDatabase;
  /** uid → password (Odoo keeps a hash; the sandbox compares plainly). */
  passwords: Map<number, string>;
  adminUid: number;
  nonAdminUid: number;
  /** Provider records ever created, by name. */
  providerCreateCounts: Record<string, number>;
}

function defineModels(db: OdooDatabase, providerCreateCounts: Record<string, number>): void {
  db.define({
    name: 'res.company',
    description: 'Companies',
    order: 'sequence, name',
    fields: { name: { type: 'char', string: 'Company Name', required: true }, sequence: { type: 'integer', string: 'Sequence' } },
    readGroups: [...INTERNAL, 'base.group_portal', 'base.group_public'],
    writeGroups: SYSTEM,
  });
  db.define({
    name: 'res.groups',
    description: 'Access Groups',
    order: 'name',
    fields: {
      name: { type: 'char', string: 'Name', required: true, translate: true },
      full_name: { type: 'char', string: 'Group Name', compute: (r) => groupFullName(r) },
      share: { type: 'boolean', string: 'Share Group' },
      comment: { type: 'text', string: 'Comment', translate: true },
    },
    displayName: (r) => groupFullName(r),
    readGroups: INTERNAL,
    writeGroups: SYSTEM,
  });
  const userFields: Record<string, FieldDef> = {
    name: { type: 'char', string: 'Name', required: true },
    login: { type: 'char', string: 'Login', required: true, help: 'Used to log into the system' },
    active: { type: 'boolean', string: 'Active', default: () => true },
    groups_id: { type: 'many2many', string: 'Groups', relation: 'res.groups', default: () => [[6, 0, defaultUserGroups(db)]] },
    company_id: { type: 'many2one', string: 'Company', relation: 'res.company', required: true, default: () => 1 },
    oauth_provider_id: { type: 'many2one', string: 'OAuth Provider', relation: 'auth.oauth.provider' },
    oauth_uid: { type: 'char', string: 'OAuth User ID', help: 'Oauth Provider user_id' },
    oauth_access_token: { type: 'char', string: 'OAuth Access Token', readonly: true },
  };
  if (db.odooVersion === 17) {
    userFields.oidc_groups_reset = { type: 'boolean', string: 'Oidc Groups Reset' };
    userFields.oidc_userinfo_reset = { type: 'boolean', string: 'Oidc Userinfo Reset' };
  }
  db.define({
    name: 'res.users',
    description: 'User',
    order: 'name, login',
    fields: userFields,
    readGroups: INTERNAL,
    writeGroups: SYSTEM,
    onCreate: (row, model) => {
      if ([...model.records.values()].some((user) => user.login === row.login)) {
        throw validationError('You can not have two users with the same login !');
      }
    },
  });
  db.define({
    name: 'ir.model.data',
    description: 'Model Data',
    order: 'module, model, name',
    fields: {
      name: { type: 'char', string: 'External Identifier', required: true },
      module: { type: 'char', string: 'Module', required: true },
      model: { type: 'char', string: 'Model Name', required: true },
      res_id: { type: 'many2one_reference', string: 'Record ID', help: 'ID of the target record in the database' },
      complete_name: { type: 'char', string: 'Complete ID', compute: (r) => `${String(r.module)}.${String(r.name)}` },
      noupdate: { type: 'boolean', string: 'Non Updatable' },
    },
    displayName: (r) => `${String(r.module)}.${String(r.name)}`,
    readGroups: INTERNAL,
    writeGroups: SYSTEM,
  });
  const idTypeFields: Record<string, FieldDef> = { name: { type: 'char', string: 'ID Type', required: true } };
  if (db.odooVersion === 17) {
    idTypeFields.auth_oauth_provider_id = { type: 'many2one', string: 'Auth Oauth Provider', relation: 'auth.oauth.provider' };
  }
  db.define({
    name: 'g2p.id.type',
    description: 'ID Type',
    order: 'id',
    fields: idTypeFields,
    readGroups: INTERNAL,
    writeGroups: SYSTEM,
  });
  db.define({
    name: 'auth.oauth.provider',
    description: 'OAuth2 provider',
    order: 'sequence, name',
    fields: providerFields(db.odooVersion),
    // auth_oauth/security/ir.model.access.csv: one line, base.group_system, all rights.
    readGroups: SYSTEM,
    writeGroups: SYSTEM,
    onCreate: (row) => {
      const name = String(row.name);
      providerCreateCounts[name] = (providerCreateCounts[name] ?? 0) + 1;
    },
  });
}

const GROUP_CATEGORY = Symbol('category');

function groupFullName(record: StoredRecord): string {
  const category = (record as Record<symbol, unknown>)[GROUP_CATEGORY];
  return typeof category === 'string' ? `${category} / ${String(record.name)}` : String(record.name);
}

function defaultUserGroups(db: OdooDatabase): number[] {
  const id = db.xmlIdToResId('base.group_user');
  return id === undefined ? [] : [id];
}

function addXmlId(db: OdooDatabase, xmlId: string, model: string, resId: number, superuser: number): void {
  const [module, name] = xmlId.split('.') as [string, string];
  db.model('ir.model.data').create(superuser, { module, name, model, res_id: resId, noupdate: true });
  db.xmlIds.set(xmlId, [model, resId]);
}

function seedGroup(db: OdooDatabase, groups: Model, xmlId: string, name: string, category: string, share: boolean, superuser: number): number {
  const id = groups.create(superuser, { name, share });
  (groups.records.get(id)! as Record<symbol, unknown>)[GROUP_CATEGORY] = category;
  addXmlId(db, xmlId, 'res.groups', id, superuser);
  return id;
}

/** A database as OpenG2P's installer leaves it, plus one non-admin registrar account. */
export function seedDatabase(name: string, odooVersion: 15 | 17, users: SeedUsers): SeededDatabase {
  const db = new OdooDatabase(name, odooVersion);
  const providerCreateCounts: Record<string, number> = {};
  defineModels(db, providerCreateCounts);
  const root = 1;
  const company = db.model('res.company').create(root, { name: odooVersion === 15 ? 'YourCompany' : 'My Company', sequence: 10 });
  addXmlId(db, 'base.main_company', 'res.company', company, root);
  const groups = db.model('res.groups');
  const internal = seedGroup(db, groups, 'base.group_user', 'Internal User', 'User types', false, root);
  const settings = seedGroup(db, groups, 'base.group_system', 'Settings', 'Administration', false, root);
  seedGroup(db, groups, 'base.group_portal', 'Portal', 'User types', true, root);
  seedGroup(db, groups, 'base.group_public', 'Public', 'User types', true, root);

  const userModel = db.model('res.users');
  userModel.create(root, { name: 'OdooBot', login: '__system__', active: false, groups_id: [[6, 0, [internal, settings]]] });
  const adminUid = userModel.create(root, { name: 'Administrator', login: users.adminLogin, groups_id: [[6, 0, [internal, settings]]] });
  addXmlId(db, 'base.user_admin', 'res.users', adminUid, root);
  const nonAdminUid = userModel.create(root, { name: 'Registrar', login: users.nonAdminLogin, groups_id: [[6, 0, [internal]]] });

  for (const idType of ['NATIONAL ID', 'MOSIP UIN', 'MOSIP PSUT']) db.model('g2p.id.type').create(root, { name: idType });

  const passwords = new Map<number, string>([
    [adminUid, users.adminPassword],
    [nonAdminUid, users.nonAdminPassword],
  ]);
  return { db, passwords, adminUid, nonAdminUid, providerCreateCounts };
}
