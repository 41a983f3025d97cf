// The sandbox as its own process for the soak: started on free ports with a fault rate, its
// URLs read from what it prints, its generated credentials from the files it writes, and its
// control API (partner users, counts, faults) over HTTP.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import { startProcess, type ManagedProcess } from '../processes.js';
import type { SandboxCredentials, SandboxUrls } from '../../sandbox/index.js';
import { EXAMPLE_DEPLOYMENTS } from '../../sandbox/local.js';

export interface SandboxProcess {
  process: ManagedProcess;
  urls: SandboxUrls;
  credentials: SandboxCredentials;
  control: SandboxControl;
}

const countsSchema = z.object({
  partners: z.record(z.string(), z.number()),
  policyMappings: z.record(z.string(), z.number()),
  apiKeys: z.record(z.string(), z.number()),
  mispLicenses: z.record(z.string(), z.number()),
  oidcClients: z.record(z.string(), z.number()),
  openg2pProviders: z.record(z.string(), z.number()),
  activeApiKeys: z.record(z.string(), z.number()),
});
export type SandboxCounts = z.infer<typeof countsSchema>;

const faultsSchema = z.object({ injected: z.number() });

const activeSchema = z.object({
  oidcClients: z.array(z.object({ clientId: z.string(), relyingPartyId: z.string() })),
  apiKeys: z.array(z.object({ partnerId: z.string(), label: z.string() })),
  mispLicenses: z.array(z.object({ mispId: z.string() })),
  partners: z.array(z.string()),
  providers: z.array(z.object({ name: z.string(), clientId: z.string() })),
});
/** What the sandbox has switched on now (GET /active of its control API). */
export type SandboxActive = z.infer<typeof activeSchema>;

export class SandboxControl {
  constructor(readonly url: string) {}

  private async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const res = await request(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`sandbox control ${method} ${path}: HTTP ${res.statusCode} ${text}`);
    return JSON.parse(text);
  }

  async addPartnerUser(partnerId: string): Promise<void> {
    await this.call('POST', '/partner-users', { partnerId });
  }

  async counts(): Promise<SandboxCounts> {
    return countsSchema.parse(await this.call('GET', '/counts'));
  }

  async active(): Promise<SandboxActive> {
    return activeSchema.parse(await this.call('GET', '/active'));
  }

  async faultsInjected(): Promise<number> {
    return faultsSchema.parse(await this.call('GET', '/faults')).injected;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }
}

/** `  MOSIP   http://127.0.0.1:41234` and the like, as sandbox/main.ts prints them. */
function urlAfter(output: string[], label: string): string {
  const line = output.find((l) => l.trimStart().startsWith(label));
  const url = line?.match(/https?:\/\/\S+/)?.[0];
  if (!url) throw new Error(`the sandbox did not print its ${label} URL:\n${output.join('\n')}`);
  return url;
}

export async function startSandboxProcess(opts: {
  secretsDir: string;
  faultRate: number;
  cwd: string;
}): Promise<SandboxProcess> {
  const args = [
    'dist/sandbox/main.js',
    '--mosip-port',
    '0',
    '--esignet-port',
    '0',
    '--odoo-port',
    '0',
    '--control-port',
    '0',
  ];
  args.push('--secrets-dir', opts.secretsDir, '--fault-rate', String(opts.faultRate));
  const proc = await startProcess('sandbox', process.execPath, args, {
    cwd: opts.cwd,
    readyLine: /credentials written to/,
  });
  const urls: SandboxUrls = {
    mosip: urlAfter(proc.output, 'MOSIP'),
    esignet: urlAfter(proc.output, 'e-Signet').replace(/\/v1\/esignet$/, ''),
    odoo: urlAfter(proc.output, 'OpenG2P'),
    control: urlAfter(proc.output, 'control'),
  };
  // The same values are written for every deployment the sandbox was told of; the first example's folder will do.
  const secret = async (name: string) =>
    (await readFile(join(opts.secretsDir, EXAMPLE_DEPLOYMENTS[0], name), 'utf8')).trim();
  // The non-secret names are the sandbox's fixed ones (newSandboxCredentials); the secrets come from its files.
  const credentials: SandboxCredentials = {
    mosipClientId: 'mosip-pms-client',
    mosipClientSecret: await secret('mosip-client-secret'),
    partnerAdminUser: 'partneradmin',
    partnerAdminPassword: await secret('partner-admin-password'),
    partnerPassword: await secret('partner-password'),
    idaClientId: 'mosip-ida-client',
    idaClientSecret: await secret('ida-client-secret'),
    esignetClientMgmtClientId: 'mosip-pms-client',
    esignetClientMgmtSecret: await secret('esignet-client-secret'),
    odooDatabase: 'openg2p',
    odooLogin: 'admin',
    odooPassword: await secret('odoo-password'),
    verificationIndividualId: '8267411571',
    verificationOtp: await secret('verification-otp'),
  };
  return { process: proc, urls, credentials, control: new SandboxControl(urls.control) };
}
