// The models the onboarding touches, with the ACL lines Odoo ships, and the seed data of a
// fresh OpenG2P database: companies, user-type groups with their xml ids, ID types, users.
import { randomUUID } from 'node:crypto';
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

/** Which add-ons the database has: OpenG2P's (registry base, OIDC modules) or plain Odoo's auth_oauth only. */
export interface InstalledModules {
  openg2p: boolean;
  /** Installed versions overriding the generation's defaults (`ir.module.module`), by technical name. */
  versions?: Record<string, string>;
}

/**
 * The OIDC modules each generation installs, at versions whose code the sign-in callback follows:
 * OpenG2P 1.1.0's pair (g2p_auth_id_oidc 15.0.1.1.0 with the auth_oidc fork as it was before its
 * 2024-02-25 merge, 15.0.1.0.1) and OpenG2P 1.4's g2p_auth_oidc.
 */
export const DEFAULT_MODULE_VERSIONS: Record<15 | 17, Record<string, string>> = {
  15: { auth_oauth: '15.0.1.0', auth_oidc: '15.0.1.0.1', g2p_auth_id_oidc: '15.0.1.1.0' },
  17: { auth_oauth: '17.0.1.0', g2p_auth_oidc: '17.0.1.4.0', g2p_auth_id_oidc: '17.0.1.4.0' },
};

/** Installed module → version for a database of this generation. */
export function installedModuleVersions(odooVersion: 15 | 17, modules: InstalledModules): Record<string, string> {
  const defaults = modules.openg2p
    ? DEFAULT_MODULE_VERSIONS[odooVersion]
    : { auth_oauth: DEFAULT_MODULE_VERSIONS[odooVersion].auth_oauth! };
  return { ...defaults, ...(modules.versions ?? {}) };
}

/** base's `ir.module.module`: readable by internal users (base ir.model.access.csv), written by installs. */
function defineModules(db: OdooDatabase): void {
  db.define({
    name: 'ir.module.module',
    description: 'Module',
    order: 'name',
    fields: {
      name: { type: 'char', string: 'Technical Name', required: true },
      shortdesc: { type: 'char', string: 'Module Name' },
      state: {
        type: 'selection',
        string: 'Status',
        selection: [
          ['uninstallable', 'Uninstallable'],
          ['uninstalled', 'Not Installed'],
          ['installed', 'Installed'],
          ['to upgrade', 'To be upgraded'],
          ['to remove', 'To be removed'],
          ['to install', 'To be installed'],
        ],
      },
      // Odoo's labels are crossed: the stored field is the installed one, the computed one reads the manifest on disk.
      latest_version: { type: 'char', string: 'Installed Version' },
      installed_version: { type: 'char', string: 'Latest Version' },
    },
    readGroups: INTERNAL,
    writeGroups: SYSTEM,
  });
}

function defineModels(db: OdooDatabase, providerCreateCounts: Record<string, number>, modules: InstalledModules): void {
  db.define({
    name: 'res.company',
    description: 'Companies',
    order: 'sequence, name',
    fields: {
      name: { type: 'char', string: 'Company Name', required: true },
      sequence: { type: 'integer', string: 'Sequence' },
    },
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
    groups_id: {
      type: 'many2many',
      string: 'Groups',
      relation: 'res.groups',
      default: () => [[6, 0, defaultUserGroups(db)]],
    },
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
  defineConfigParameters(db);
  if (modules.openg2p) defineIdTypes(db);
  db.define({
    name: 'auth.oauth.provider',
    description: 'OAuth2 provider',
    order: 'sequence, name',
    fields: providerFields(db.odooVersion, modules.openg2p),
    // auth_oauth/security/ir.model.access.csv: one line, base.group_system, all rights.
    readGroups: SYSTEM,
    writeGroups: SYSTEM,
    onCreate: (row) => {
      const name = String(row.name);
      providerCreateCounts[name] = (providerCreateCounts[name] ?? 0) + 1;
    },
  });
}

/** g2p_registry_base's registrant ID types. */
function defineIdTypes(db: OdooDatabase): void {
  const idTypeFields: Record<string, FieldDef> = { name: { type: 'char', string: 'ID Type', required: true } };
  if (db.odooVersion === 17) {
    idTypeFields.auth_oauth_provider_id = {
      type: 'many2one',
      string: 'Auth Oauth Provider',
      relation: 'auth.oauth.provider',
    };
  }
  db.define({
    name: 'g2p.id.type',
    description: 'ID Type',
    order: 'id',
    fields: idTypeFields,
    readGroups: INTERNAL,
    writeGroups: SYSTEM,
  });
}

/** `ir.config_parameter` (base): system parameters, Settings administrators only; `key` is unique. */
function defineConfigParameters(db: OdooDatabase): void {
  db.define({
    name: 'ir.config_parameter',
    description: 'System Parameter',
    order: 'key',
    recName: 'key',
    fields: {
      key: { type: 'char', string: 'Key', required: true },
      value: { type: 'text', string: 'Value', required: true },
    },
    readGroups: SYSTEM,
    writeGroups: SYSTEM,
    onCreate: (row, model) => {
      if ([...model.records.values()].some((param) => param.key === row.key)) {
        throw validationError('The operation cannot be completed: Key must be unique.');
      }
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

function seedGroup(
  db: OdooDatabase,
  groups: Model,
  xmlId: string,
  name: string,
  category: string,
  share: boolean,
  superuser: number,
): number {
  const id = groups.create(superuser, { name, share });
  (groups.records.get(id)! as Record<symbol, unknown>)[GROUP_CATEGORY] = category;
  addXmlId(db, xmlId, 'res.groups', id, superuser);
  return id;
}

/** A database as OpenG2P's installer leaves it, plus one non-admin registrar account. */
export function seedDatabase(
  name: string,
  odooVersion: 15 | 17,
  users: SeedUsers,
  modules: InstalledModules = { openg2p: true },
): SeededDatabase {
  const db = new OdooDatabase(name, odooVersion);
  const providerCreateCounts: Record<string, number> = {};
  defineModels(db, providerCreateCounts, modules);
  defineModules(db);
  const root = 1;
  const company = db
    .model('res.company')
    .create(root, { name: odooVersion === 15 ? 'YourCompany' : 'My Company', sequence: 10 });
  addXmlId(db, 'base.main_company', 'res.company', company, root);
  const groups = db.model('res.groups');
  const internal = seedGroup(db, groups, 'base.group_user', 'Internal User', 'User types', false, root);
  const settings = seedGroup(db, groups, 'base.group_system', 'Settings', 'Administration', false, root);
  seedGroup(db, groups, 'base.group_portal', 'Portal', 'User types', true, root);
  seedGroup(db, groups, 'base.group_public', 'Public', 'User types', true, root);

  const userModel = db.model('res.users');
  userModel.create(root, {
    name: 'OdooBot',
    login: '__system__',
    active: false,
    groups_id: [[6, 0, [internal, settings]]],
  });
  const adminUid = userModel.create(root, {
    name: 'Administrator',
    login: users.adminLogin,
    groups_id: [[6, 0, [internal, settings]]],
  });
  addXmlId(db, 'base.user_admin', 'res.users', adminUid, root);
  const nonAdminUid = userModel.create(root, {
    name: 'Registrar',
    login: users.nonAdminLogin,
    groups_id: [[6, 0, [internal]]],
  });

  if (modules.openg2p)
    for (const idType of ['NATIONAL ID', 'MOSIP UIN', 'MOSIP PSUT'])
      db.model('g2p.id.type').create(root, { name: idType });
  db.model('ir.config_parameter').create(root, { key: 'database.uuid', value: randomUUID() });
  for (const [module, version] of Object.entries(installedModuleVersions(odooVersion, modules)))
    db.model('ir.module.module').create(root, {
      name: module,
      shortdesc: module,
      state: 'installed',
      latest_version: version,
      installed_version: version,
    });

  const passwords = new Map<number, string>([
    [adminUid, users.adminPassword],
    [nonAdminUid, users.nonAdminPassword],
  ]);
  return { db, passwords, adminUid, nonAdminUid, providerCreateCounts };
}
