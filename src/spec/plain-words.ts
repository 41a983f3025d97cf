// zod's wording ("Invalid input: expected string, received number") describes the validator, not
// the file: these say what to write instead. Given to each parse as its error map, so the
// schema's own messages (which already say what to do) still take precedence.
import type { z } from 'zod';

type Issue = z.core.$ZodRawIssue;

function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a block of fields';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return typeof value === 'string' ? 'text' : typeof value;
}

function typeAdvice(issue: Issue & { code: 'invalid_type' }): string {
  const { expected, input } = issue;
  if (input === undefined)
    return expected === 'object' ? 'required: add this block of fields' : 'required: add this field';
  if (input === null)
    return expected === 'object'
      ? 'is empty: add its fields, indented below it, or remove the line'
      : 'is empty: give a value, or remove the line';
  switch (expected) {
    case 'string':
      if (typeof input === 'number')
        return `YAML read ${input} as a number: put it in quotes ("…"), which also keeps leading zeros and a leading +`;
      if (typeof input === 'boolean')
        return `YAML read this as ${input} (yes/no/true/false unquoted are booleans): put the text in quotes`;
      return `must be a single value (text), not ${kindOf(input)}`;
    case 'number':
    case 'int':
      return `must be a whole number such as 2, not ${kindOf(input)}`;
    case 'boolean':
      return `must be true or false (without quotes), not ${kindOf(input)}`;
    case 'object':
      return `must be a block of fields indented below this line (name: value), not ${kindOf(input)}`;
    case 'array':
      return `must be a list (each entry on its own line starting with "- ", or [a, b]), not ${kindOf(input)}`;
    default:
      return `must be ${expected}, not ${kindOf(input)}`;
  }
}

function sizeAdvice(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case 'string':
      return small && limit === 1
        ? 'must not be empty'
        : `must be ${small ? 'at least' : 'at most'} ${limit} characters`;
    case 'array':
      return small ? `needs at least ${limit} entr${limit === 1 ? 'y' : 'ies'}` : `may have at most ${limit} entries`;
    default:
      return `must be ${small ? 'at least' : 'at most'} ${limit}`;
  }
}

/** The error map every spec parse uses. */
export function plainWords(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return typeAdvice(issue);
    case 'too_small':
    case 'too_big':
      return sizeAdvice(issue);
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return 'is not in the form this field takes: see the README (The deployment spec)';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}
