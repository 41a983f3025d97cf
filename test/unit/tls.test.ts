// TLS to the spec's systems: a server on a private PKI is refused by default (and the step is
// blocked with what to do, not retried forever), and trusted once the spec names its CA bundle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { HttpClient } from '../../src/clients/http.js';
import { RemoteRejection } from '../../src/clients/errors.js';
import { specHttpOptions } from '../../src/activities/spec-tls.js';
import { RSA_SHA256, generateRsaKeys, randomSerial, toPem, x509 } from '../../src/security/x509.js';
import type { DeploymentSpec } from '../../src/spec/schema.js';

/** A private CA and a server certificate it signs for 127.0.0.1, as a MOSIP on its own PKI has. */
async function privatePki(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const caKeys = await generateRsaKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=Private MOSIP Root',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const serverKeys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=api-internal.mosip.test',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', serverKeys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { caPem: toPem(ca), certPem: toPem(cert), keyPem };
}

const specWith = (tls?: { caFile: string }) => ({ tls }) as unknown as DeploymentSpec;

describe('TLS to a MOSIP on a private PKI', () => {
  let server: Server;
  let url: string;
  let dir: string;

  before(async () => {
    const pki = await privatePki();
    dir = await mkdtemp(join(tmpdir(), 'g2p-tls-'));
    await writeFile(join(dir, 'mosip-ca.pem'), pki.caPem);
    await writeFile(join(dir, 'not-a-bundle.pem'), 'hello\n');
    server = createServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('is refused by default, as a rejection that names tls.caFile (no endless retries)', async () => {
    const client = new HttpClient(
      'pms',
      url,
      await specHttpOptions(specWith(), { env: {}, envPrefix: 'G2P_SECRET_', folder: dir, protectedPaths: [] }),
    );
    await assert.rejects(client.send('/v1/partnermanager/partners', { method: 'GET' }), (err: unknown) => {
      assert.ok(err instanceof RemoteRejection, String(err));
      assert.match(err.message, /certificate/i);
      assert.match(err.message, /tls\.caFile/);
      return true;
    });
  });

  test("is accepted once the spec names the CA bundle (relative to the deployment's secrets folder)", async () => {
    const client = new HttpClient(
      'pms',
      url,
      await specHttpOptions(specWith({ caFile: 'mosip-ca.pem' }), {
        env: {},
        envPrefix: 'G2P_SECRET_',
        folder: dir,
        protectedPaths: [],
      }),
    );
    const res = await client.send('/v1/partnermanager/partners', { method: 'GET' });
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"ok":true}');
  });

  test('a CA bundle the worker cannot read, or that holds no certificate, blocks the step and says which file', async () => {
    for (const [caFile, problem] of [
      ['missing.pem', /cannot be read: no readable file of that name in the deployment's secrets folder/],
      ['not-a-bundle.pem', /holds no PEM certificate/],
    ] as const) {
      await assert.rejects(
        specHttpOptions(specWith({ caFile }), { env: {}, envPrefix: 'G2P_SECRET_', folder: dir, protectedPaths: [] }),
        (err: unknown) => {
          assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
          assert.match(err.message, new RegExp(`tls\\.caFile: ${caFile}`));
          assert.match(err.message, problem);
          return true;
        },
      );
    }
  });
});
