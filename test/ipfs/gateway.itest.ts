// Publishing through a running `spark serve`: Publish stores the bundle under its CID, the HTTP port serves it as
// a trustless gateway (headers, HEAD, ETag, 304, 400/404/406, the bafkqaaa probe), the bytes hash to the CID —
// checked by decoding the CID here by hand, independently of the sidecar's CID code — and verify offline; the
// Kubo double receives the same bytes; an independent IPFS client (@helia/verified-fetch) fetches and checks them
// too, and refuses them from a gateway that changes a byte; refusals name their field.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { clientsFor, waitFor } from '../anchoring/support.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { createIndependentClient, fetchVerified, startTamperingProxy } from './independent-client.ts';
import { startLoopbackKubo } from './loopback-ipfs.ts';

/** RFC 4648 base32 (lower case, no padding) → bytes: the multibase "b" prefix of a CIDv1 string. */
function base32Decode(text: string): Uint8Array {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** The sha2-256 digest inside a CIDv1 raw string, decoded by hand: "b" ‖ base32(0x01 0x55 0x12 0x20 ‖ digest). */
function digestInCid(cid: string): Buffer {
  assert.equal(cid[0], 'b', 'multibase base32');
  const bytes = base32Decode(cid.slice(1));
  assert.deepEqual([...bytes.subarray(0, 4)], [0x01, 0x55, 0x12, 0x20], 'CIDv1, raw, sha2-256, 32 bytes');
  assert.equal(bytes.length, 36);
  return Buffer.from(bytes.subarray(4));
}

test('publish a bundle, fetch it back by CID from the gateway, check and verify it', async (t) => {
  const dir = tempDir('spark-gateway-');
  const kubo = await startLoopbackKubo();
  const server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: {
      SPARK_IPFS_KUBO_URL: kubo.url,
      SPARK_IPFS_POLL_INTERVAL_MS: '100',
      SPARK_IPFS_RETRY_BASE_MS: '100',
    },
    timeoutMs: 60_000,
  });
  t.after(async () => {
    await server.stop();
    await kubo.close();
    dir.cleanup();
  });
  const gateway = `http://127.0.0.1:${server.httpPort}`;
  const { client, admin } = clientsFor(server.port);
  const digest = createHash('sha256').update('a contract to publish').digest();
  const receipt = (await client.submit({ payload: { case: 'digest', value: digest } })).receipt;
  const leafHash = receipt?.leafHash as Uint8Array;

  await assert.rejects(client.publish({ leafHash }), (e: unknown) => {
    const err = ConnectError.from(e);
    return err.code === Code.FailedPrecondition && /^leaf_hash: the leaf is PENDING/.test(err.rawMessage);
  });
  kubo.faults.push(502); // the first push fails; the worker retries
  await admin.sealNow({});
  const published = await client.publish({ leafHash });
  assert.equal(published.status, Status.SEALED);
  assert.equal(published.gatewayPath, `/ipfs/${published.cid}`);
  assert.deepEqual(
    published.publishers.map((p) => [p.publisher, p.state]),
    [['kubo', 'QUEUED']],
  );
  assert.equal(
    (await client.publish({ leafHash })).createdAtMs,
    published.createdAtMs,
    'publishing again: the same',
  );

  // GET with ?format=raw
  const res = await fetch(`${gateway}/ipfs/${published.cid}?format=raw`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.ipld.raw');
  assert.equal(res.headers.get('etag'), `"${published.cid}.raw"`);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=29030400, immutable');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(bytes.length, Number(published.size));
  assert.deepEqual(
    createHash('sha256').update(bytes).digest(),
    digestInCid(published.cid),
    'the bytes hash to the CID',
  );
  const report = verifyBundle(bytes, { verifier: createNativeVerifier(), sha256: nativeSha256, digest });
  assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));

  // An independent IPFS client fetches the same bytes by CID from our gateway and checks them against the CID;
  // through a gateway that changes one byte, a fresh client (nothing cached) refuses them.
  const httpPort = server.httpPort as number;
  const independent = await createIndependentClient();
  const fresh = await createIndependentClient();
  const tampering = await startTamperingProxy(httpPort);
  t.after(async () => {
    await independent.stop();
    await fresh.stop();
    await tampering.close();
  });
  const verified = await fetchVerified(independent, published.cid, httpPort);
  assert.equal(verified.status, 200);
  const fetchedBack = new Uint8Array(await verified.arrayBuffer());
  assert.deepEqual(fetchedBack, bytes, 'the independent client returns the bytes the CID names');
  assert.equal(
    verifyBundle(fetchedBack, { verifier: createNativeVerifier(), sha256: nativeSha256, digest }).valid,
    true,
  );
  const lied = await fetchVerified(fresh, published.cid, tampering.port, 3_000).then(
    (r) => r.status,
    () => 'refused',
  );
  assert.notEqual(
    lied,
    200,
    'a changed byte is caught by the independent client (its hash differs from the CID)',
  );

  // Accept header, HEAD, conditional GET
  const byAccept = await fetch(`${gateway}/ipfs/${published.cid}`, {
    headers: { accept: 'application/vnd.ipld.raw' },
  });
  assert.deepEqual(new Uint8Array(await byAccept.arrayBuffer()), bytes);
  const head = await fetch(`${gateway}/ipfs/${published.cid}?format=raw`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(bytes.length));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const cached = await fetch(`${gateway}/ipfs/${published.cid}?format=raw`, {
    headers: { 'if-none-match': `"${published.cid}.raw"` },
  });
  assert.equal(cached.status, 304);

  // The probe, and the refusals
  const probe = await fetch(`${gateway}/ipfs/bafkqaaa?format=raw`);
  assert.equal(probe.status, 200);
  assert.equal((await probe.arrayBuffer()).byteLength, 0);
  const absent = 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq';
  assert.equal((await fetch(`${gateway}/ipfs/${absent}?format=raw`)).status, 404);
  assert.equal((await fetch(`${gateway}/ipfs/not-a-cid?format=raw`)).status, 400);
  assert.equal((await fetch(`${gateway}/ipfs/${published.cid}?format=car`)).status, 406);
  assert.equal(
    (await fetch(`${gateway}/ipfs/${published.cid}`, { headers: { accept: 'text/html' } })).status,
    406,
  );
  assert.equal((await fetch(`${gateway}/ipfs/${published.cid}/inside?format=raw`)).status, 400);

  // Kubo got the same bytes after a retry; the status says so.
  const done = await waitFor(
    'kubo PUBLISHED',
    async () => {
      const p = await client.getPublication({ cid: published.cid });
      return p.publishers[0]?.state === 'PUBLISHED' ? p : undefined;
    },
    20_000,
  );
  assert.equal(done.publishers[0]?.attempts, 2);
  assert.deepEqual(kubo.stored.get(published.cid), bytes);
  assert.deepEqual(kubo.refused, []);

  await assert.rejects(client.getPublication({ cid: 'nope' }), (e: unknown) => {
    const err = ConnectError.from(e);
    return err.code === Code.InvalidArgument && /^cid: not a CID/.test(err.rawMessage);
  });
  await assert.rejects(client.getPublication({ cid: absent }), (e: unknown) => {
    const err = ConnectError.from(e);
    return err.code === Code.NotFound && err.rawMessage === `cid: ${absent} is not published here`;
  });

  // The CLI: prove --publish prints the CID of what the gateway serves.
  const cli = await runCli([
    'prove',
    '--server',
    server.address,
    '--leaf',
    Buffer.from(leafHash).toString('hex'),
    '--out',
    join(dir.path, 'leaf.spark'),
    '--publish',
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, new RegExp(`published: ${published.cid} \\(${bytes.length} bytes, SEALED\\)`));
  assert.match(cli.stdout, /kubo: PUBLISHED/);
});
