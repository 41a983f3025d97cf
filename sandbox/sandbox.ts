// The running sandbox, as tests, scripts and its control API hold it; index.ts assembles it from
// the stand-ins.
import type { Realm } from './realm.js';
import type { RecordedRequest } from './router.js';
import type { MosipSandbox } from './mosip/index.js';
import type { EsignetSandbox } from './esignet/index.js';
import type { OdooSandbox } from './odoo/index.js';
import type { FaultInjector } from './faults.js';
import type { SandboxCredentials, SandboxUrls } from './context.js';

export interface Sandbox {
  urls: SandboxUrls;
  credentials: SandboxCredentials;
  realm: Realm;
  requests: RecordedRequest[];
  mosip: MosipSandbox;
  esignet: EsignetSandbox;
  odoo: OdooSandbox;
  /** Fault injection on the MOSIP, e-Signet and OpenG2P ports (never the control port). */
  faults: FaultInjector;
  /** Approval notices received on the control port's /approval-notices (a webhook receiver). */
  approvalNotices: { noticeId: string }[];
  addPartnerUser(partnerId: string): void;
  close(): Promise<void>;
}
