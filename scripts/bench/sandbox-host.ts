// The sandbox as its own process for the benchmark (forked with an IPC channel), so its CPU
// and memory are not counted as the worker's or the bench driver's. Its fault injector adds
// a fixed latency before every request, as a remote system across a network would.
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.js';

export type HostRequest =
  | { type: 'configure'; seq: number; latencyMs?: number; autoApproveMs?: number | null }
  | { type: 'addPartnerUsers'; seq: number; ids: string[] }
  | { type: 'requests'; seq: number }
  | { type: 'clearRequests'; seq: number };

export type HostReply =
  | { type: 'ready'; urls: Sandbox['urls']; credentials: Sandbox['credentials'] }
  | { type: 'ack'; seq: number; value?: unknown };

/** What the bench needs from a request record: which route, in which order. */
export interface CallRecord {
  system: string;
  method: string;
  route: string;
}

async function main(): Promise<void> {
  // The sandbox reads this object when each mapping is created, so `configure` can turn the
  // portal's auto-approval on and off between scenarios.
  const options: SandboxOptions = {};
  const sandbox = await startSandbox(options);
  const send = (reply: HostReply) => process.send!(reply);
  process.on('message', (msg: HostRequest) => {
    switch (msg.type) {
      case 'configure':
        if (msg.latencyMs !== undefined) sandbox.faults.setGlobal({ latencyMs: msg.latencyMs });
        if (msg.autoApproveMs !== undefined) options.autoApproveMappingsAfterMs = msg.autoApproveMs ?? undefined;
        return send({ type: 'ack', seq: msg.seq });
      case 'addPartnerUsers':
        for (const id of msg.ids) sandbox.addPartnerUser(id);
        return send({ type: 'ack', seq: msg.seq });
      case 'requests':
        return send({
          type: 'ack',
          seq: msg.seq,
          value: sandbox.requests.map((r): CallRecord => ({
            system: r.system,
            method: r.method,
            route: r.route ?? r.path,
          })),
        });
      case 'clearRequests':
        sandbox.requests.length = 0;
        return send({ type: 'ack', seq: msg.seq });
    }
  });
  process.on('disconnect', () => void sandbox.close().finally(() => process.exit(0)));
  send({ type: 'ready', urls: sandbox.urls, credentials: sandbox.credentials });
}

main().catch((err) => {
  console.error(`bench sandbox: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
