// Variables validated by a zod schema: what the worker and the codec server read. The schema
// sees the raw string (or undefined when unset) and says what is wrong in its issue message.
import { z } from 'zod';
import { flag, secretRefProblem, type Variable } from './variables.js';

export function zodVariable<T>(schema: z.ZodType<T, string | undefined>, doc: Omit<Variable<T>, 'parse'>): Variable<T> {
  return {
    ...doc,
    parse(raw) {
      const parsed = schema.safeParse(raw);
      if (parsed.success) return parsed.data;
      throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    },
  };
}

/** A whole number of at least `min`, or undefined when unset. */
export const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .refine((n) => n >= min, { message: `must be at least ${min}` })
    .optional();

export const portNumber = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'not a port number' })
    .transform(Number)
    .refine((n) => n <= 65535, { message: 'not a port number (0-65535)' })
    .optional()
    .transform((n) => n ?? fallback);

/** An operator's `file:`/`env:` reference, or undefined when unset. */
export const secretRef = z
  .string()
  .superRefine((value, ctx) => {
    const problem = secretRefProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .optional();

export const trueOrFalse = z
  .enum(['true', 'false'], { message: 'use true or false' })
  .optional()
  .transform((raw) => flag(raw));

export const optionalString = z.string().optional();
