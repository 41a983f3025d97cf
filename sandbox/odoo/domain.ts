// Odoo search domains (Polish notation with implicit '&') and `order` clauses, evaluated
// over in-memory rows with PostgreSQL's semantics for NULL (`false`).
import { pyRepr, valueError } from './errors.js';
import type { FieldDef, StoredRecord, RelationLookup } from './fields.js';

export interface DomainModel {
  name: string;
  fields: Record<string, FieldDef>;
  relations: RelationLookup;
}

type Predicate = (record: StoredRecord) => boolean;

const OPERATORS = new Set([
  '=',
  '!=',
  '<>',
  '<',
  '>',
  '<=',
  '>=',
  'in',
  'not in',
  'like',
  'ilike',
  'not like',
  'not ilike',
  '=like',
  '=ilike',
]);

function leafRepr(leaf: unknown[]): string {
  return `(${leaf.map(pyRepr).join(', ')})`;
}

function likeRegex(pattern: string, wrap: boolean, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(wrap ? `^.*${body}.*$` : `^${body}$`, caseInsensitive ? 'is' : 's');
}

function isUnset(value: unknown): boolean {
  return value === false || value === null || value === undefined;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function leafPredicate(model: DomainModel, leaf: unknown[]): Predicate {
  const [fieldName, rawOperator, value] = leaf as [unknown, unknown, unknown];
  if (leaf.length !== 3 || typeof fieldName !== 'string' || typeof rawOperator !== 'string') {
    throw valueError(`Invalid leaf ${leafRepr(leaf)}`);
  }
  // TRUE_LEAF / FALSE_LEAF
  if (fieldName === '1' || (fieldName as unknown) === 1) return () => true;
  if (fieldName === '0' || (fieldName as unknown) === 0) return () => false;
  const operator = rawOperator.toLowerCase();
  if (!OPERATORS.has(operator)) throw valueError(`Invalid leaf ${leafRepr(leaf)}`);
  const field = fieldName === 'id' ? ({ type: 'integer', string: 'ID' } as FieldDef) : model.fields[fieldName];
  if (!field || field.compute) {
    throw valueError(`Invalid field ${model.name}.${fieldName} in leaf ${leafRepr(leaf)}`);
  }
  const read = (record: StoredRecord): unknown => {
    const stored = record[fieldName];
    // many2one compared by name when the value is a string, as Odoo does through name_search.
    if (field.type === 'many2one' && typeof value === 'string' && typeof stored === 'number') {
      return model.relations.displayName(field.relation!, stored);
    }
    return stored;
  };
  const equals = (stored: unknown, wanted: unknown): boolean => {
    if (isUnset(wanted))
      return isUnset(stored) || (field.type === 'many2many' && Array.isArray(stored) && stored.length === 0);
    if (field.type === 'many2many') return Array.isArray(stored) && stored.includes(wanted as number);
    return stored === wanted;
  };
  switch (operator) {
    case '=':
      return (r) => equals(read(r), value);
    case '!=':
    case '<>':
      return (r) => !equals(read(r), value);
    case 'in':
    case 'not in': {
      const list = Array.isArray(value) ? value : [value];
      const inList = (r: StoredRecord) => list.some((v) => equals(read(r), v));
      return operator === 'in' ? inList : (r) => !inList(r);
    }
    case '<':
    case '>':
    case '<=':
    case '>=':
      return (r) => {
        const stored = read(r);
        if (isUnset(stored) || isUnset(value)) return false;
        const cmp = compareValues(stored, value);
        return operator === '<' ? cmp < 0 : operator === '>' ? cmp > 0 : operator === '<=' ? cmp <= 0 : cmp >= 0;
      };
    default: {
      const negate = operator.startsWith('not ');
      const regex = likeRegex(String(value ?? ''), !operator.startsWith('='), operator.includes('ilike'));
      return (r) => {
        const stored = read(r);
        const matches = !isUnset(stored) && regex.test(String(stored));
        return negate ? !matches : matches;
      };
    }
  }
}

/** Compiles a domain; an empty domain matches everything. */
export function compileDomain(model: DomainModel, domain: unknown): Predicate {
  if (domain === undefined || domain === null || domain === false) return () => true;
  if (!Array.isArray(domain)) throw valueError(`Invalid domain ${pyRepr(domain)}`);
  let position = 0;
  const parseOne = (): Predicate => {
    const item = domain[position++];
    if (item === '&' || item === '|') {
      const left = parseOne();
      const right = parseOne();
      return item === '&' ? (r) => left(r) && right(r) : (r) => left(r) || right(r);
    }
    if (item === '!') {
      const inner = parseOne();
      return (r) => !inner(r);
    }
    if (!Array.isArray(item)) throw valueError(`Invalid leaf ${pyRepr(item)}`);
    return leafPredicate(model, item);
  };
  const terms: Predicate[] = [];
  while (position < domain.length) terms.push(parseOne());
  return (r) => terms.every((term) => term(r));
}

/** Sorts rows by an Odoo `order` spec ("sequence, name desc"), NULLs last ascending, id as tiebreak. */
export function sortRecords(model: DomainModel, records: StoredRecord[], order: string): StoredRecord[] {
  const clauses = order
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([\w.]+)(?:\s+(asc|desc))?$/i.exec(part);
      if (!match) {
        throw valueError(
          `Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
        );
      }
      const name = match[1]!;
      if (name !== 'id' && !model.fields[name])
        throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model.name)}`);
      return { name, descending: match[2]?.toLowerCase() === 'desc' };
    });
  const sortKey = (record: StoredRecord, name: string): unknown => {
    const field = model.fields[name];
    const stored = record[name];
    if (field?.type === 'many2one' && typeof stored === 'number')
      return model.relations.displayName(field.relation!, stored);
    return stored;
  };
  return [...records].sort((a, b) => {
    for (const { name, descending } of clauses) {
      const va = sortKey(a, name);
      const vb = sortKey(b, name);
      if (isUnset(va) && isUnset(vb)) continue;
      // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC.
      if (isUnset(va)) return descending ? -1 : 1;
      if (isUnset(vb)) return descending ? 1 : -1;
      const cmp = compareValues(va, vb);
      if (cmp !== 0) return descending ? -cmp : cmp;
    }
    return a.id - b.id;
  });
}
