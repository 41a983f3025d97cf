// Odoo's exceptions as they cross JSON-RPC: the Python class path in `data.name`,
// `str(exc)` in `data.message`, `exc.args` in `data.arguments`, HTTP 200 regardless.
import { json, type SandboxResponse } from '../router.js';

export class OdooException extends Error {
  constructor(
    /** `<module>.<ClassName>` exactly as Odoo serializes it, e.g. `odoo.exceptions.AccessDenied`. */
    readonly exceptionName: string,
    message: string,
    /** JSON-RPC `error.code`/`error.message` pair: 200 "Odoo Server Error" unless a session problem. */
    readonly rpcCode = 200,
    readonly rpcMessage = 'Odoo Server Error',
  ) {
    super(message);
  }
}

export const accessDenied = (message = 'Access Denied') => new OdooException('odoo.exceptions.AccessDenied', message);
export const accessError = (message: string) => new OdooException('odoo.exceptions.AccessError', message);
export const userError = (message: string) => new OdooException('odoo.exceptions.UserError', message);
export const validationError = (message: string) => new OdooException('odoo.exceptions.ValidationError', message);
export const missingError = (message: string) => new OdooException('odoo.exceptions.MissingError', message);
export const valueError = (message: string) => new OdooException('builtins.ValueError', message);
export const typeError = (message: string) => new OdooException('builtins.TypeError', message);
export const keyError = (key: string) => new OdooException('builtins.KeyError', `'${key}'`);
export const sessionExpired = () =>
  new OdooException('odoo.http.SessionExpiredException', 'Session expired', 100, 'Odoo Session Expired');

/** Python's `repr()` of a string, as Odoo's `%r` formatting puts it in messages. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** A Python-looking traceback: clients show `debug` to developers, nothing parses it. */
function fakeTraceback(err: OdooException): string {
  return [
    'Traceback (most recent call last):',
    '  File "/opt/odoo/odoo/http.py", line 644, in _handle_exception',
    '    return super(JsonRequest, self)._handle_exception(exception)',
    `${err.exceptionName}: ${err.message}`,
    '',
  ].join('\n');
}

export function rpcResult(
  id: unknown,
  result: unknown,
  headers: Record<string, string | string[]> = {},
): SandboxResponse {
  return json({ jsonrpc: '2.0', id: id ?? null, result }, 200, headers);
}

export function rpcError(id: unknown, err: OdooException): SandboxResponse {
  return json({
    jsonrpc: '2.0',
    id: id ?? null,
    error: {
      code: err.rpcCode,
      message: err.rpcMessage,
      data: {
        name: err.exceptionName,
        debug: fakeTraceback(err),
        message: err.message,
        arguments: [err.message],
        context: {},
      },
    },
  });
}

/** Runs a JSON-RPC handler body; Odoo exceptions become the error envelope, anything else is a sandbox bug. */
export async function answerRpc(
  id: unknown,
  run: () => unknown,
  headers?: Record<string, string | string[]>,
): Promise<SandboxResponse> {
  try {
    return rpcResult(id, await run(), headers);
  } catch (err) {
    if (err instanceof OdooException) return rpcError(id, err);
    throw err;
  }
}
