// A webhook receiver for approval notices, as a chat or ticketing gateway would be.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApprovalNotice } from '../../src/activities/notifications.js';

export interface WebhookReceiver {
  url: string;
  notices: ApprovalNotice[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notices: ApprovalNotice[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const notice = JSON.parse(body) as ApprovalNotice;
      // Receivers de-duplicate on the notice id, as the activity's contract says.
      if (!notices.some((n) => n.noticeId === notice.noticeId)) notices.push(notice);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/approval-notices`,
    notices,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
