// Where a run's HTTP may go: only hosts the worker policy lists for the deployment, only public
// addresses unless it allows private networks, checked as the socket opens. Every refusal is a
// typed EgressRefused naming the host and the setting to change, and nothing reaches the host.
// Only loopback traffic here: names that "resolve" elsewhere go through an injected resolver,
// which refuses before any socket exists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { HttpClient, type HttpOptions } from '../../src/clients/http.js';
import { EgressRefused, isNonPublicAddress, type EgressRules } from '../../src/clients/egress.js';

/** A resolver standing for DNS: `answers` per name; a name it does not know fails the test. */
function fakeDns(answers: Record<string, string[]>, asked: string[] = []): typeof dnsLookup {
  return ((hostname: string, _options: unknown, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
    asked.push(hostname);
    const list = answers[hostname];
    if (!list) return callback(Object.assign(new Error(`unexpected lookup of ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof dnsLookup;
}

const rules = (hosts: string[], privateNetworks = false): EgressRules => ({
  hosts,
  privateNetworks,
  origin: 'deployment dep-a in the worker policy test.yaml',
});

async function refusal(url: string, opts: HttpOptions): Promise<EgressRefused> {
  let caught: unknown;
  await new HttpClient('pms', url, opts)
    .send('/v1/partnermanager/partners', { method: 'POST', json: { secret: 'must-not-leave' }, write: true })
    .catch((err) => (caught = err));
  assert.ok(caught instanceof EgressRefused, `expected EgressRefused, got ${String(caught)}`);
  return caught;
}

describe('egress: what a run may reach', () => {
  let attacker: Server;
  let port: number;
  const received: string[] = [];

  before(async () => {
    attacker = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    port = (attacker.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => attacker.close(() => r())));

  test('a spec URL on a host the policy does not list is refused, naming the host and where to allow it; nothing is sent', async () => {
    const err = await refusal(`http://127.0.0.1:${port}`, { egress: rules(['mosip.example.org']) });
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} is not a host the worker policy allows`));
    assert.match(err.hint, /add 127\.0\.0\.1:\d+ to the hosts of deployment dep-a in the worker policy test\.yaml/);
    assert.deepEqual(received, []);
  });

  test('a deployment with no entry in the policy reaches nothing', async () => {
    await refusal(`http://127.0.0.1:${port}`, { egress: rules([]) });
    assert.deepEqual(received, []);
  });

  test('an allowed host on a loopback address is refused unless the policy allows private networks', async () => {
    const err = await refusal(`http://127.0.0.1:${port}`, { egress: rules(['127.0.0.1']) });
    assert.match(err.message, /127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback, private or link-local address/);
    assert.match(err.hint, /set privateNetworks: true for deployment dep-a/);
    await refusal(`http://localhost:${port}`, {
      egress: rules(['localhost']),
      dnsLookup: fakeDns({ localhost: ['127.0.0.1'] }),
    });
    assert.deepEqual(received, []);
  });

  test('a listed name that resolves to the cloud metadata address or a private network is refused at connect time', async () => {
    for (const address of [
      '169.254.169.254',
      '10.1.2.3',
      '172.20.0.5',
      '192.168.1.1',
      '100.64.0.1',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
    ]) {
      const asked: string[] = [];
      const err = await refusal('https://mosip.example.test', {
        egress: rules(['mosip.example.test']),
        dnsLookup: fakeDns({ 'mosip.example.test': [address] }, asked),
      });
      assert.match(err.message, new RegExp(`mosip\\.example\\.test resolves to ${address.replace(/[.]/g, '\\.')}`));
      assert.deepEqual(asked, ['mosip.example.test'], "the address was checked in the connection's own lookup");
    }
  });

  test('one private address among public ones is enough to refuse (no answer picks which to use)', async () => {
    await refusal('https://mosip.example.test', {
      egress: rules(['mosip.example.test']),
      dnsLookup: fakeDns({ 'mosip.example.test': ['93.184.216.34', '169.254.169.254'] }),
    });
  });

  test('plain http is refused off loopback (a webhook on http://hooks.example.test), before any lookup', async () => {
    const asked: string[] = [];
    const err = await refusal('http://hooks.example.test', {
      egress: rules(['hooks.example.test'], true),
      dnsLookup: fakeDns({}, asked),
    });
    assert.match(err.message, /the worker sends only https/);
    assert.deepEqual(asked, []);
  });

  test('a host the policy lists, on a private network it allows, is reached', async () => {
    const res = await new HttpClient('pms', `http://127.0.0.1:${port}`, {
      egress: rules([`127.0.0.1:${port}`], true),
    }).send('/ok', { method: 'GET' });
    assert.equal(res.status, 200);
    assert.deepEqual(received, ['GET /ok']);
    received.length = 0;
  });

  test('host patterns: *.domain matches subdomains only, host:port only that port', async () => {
    await refusal(`http://127.0.0.1:${port}`, { egress: rules([`127.0.0.1:${port + 1}`], true) });
    await refusal('https://example.test', { egress: rules(['*.example.test']), dnsLookup: fakeDns({}) });
    await refusal('https://mosip.example.test', {
      egress: rules(['*.example.test']),
      dnsLookup: fakeDns({ 'mosip.example.test': ['10.0.0.1'] }),
    });
    assert.deepEqual(received, []);
  });

  test('address classes', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fc00::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
    ]) {
      assert.equal(isNonPublicAddress(a), true, a);
    }
    for (const a of ['93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:93.184.216.34'])
      assert.equal(isNonPublicAddress(a), false, a);
  });
});
