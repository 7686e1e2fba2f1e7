// The ClientHello parser and the group prediction, on ClientHellos captured from real Node TLS clients.
import assert from 'node:assert/strict';
import net from 'node:net';
import { before, describe, test } from 'node:test';
import tls from 'node:tls';
import { type ClientHello, parseClientHello } from '../../src/service/client-hello.ts';
import { groupByName, parseGroupList, predictGroup } from '../../src/service/tls-groups.ts';

const X25519MLKEM768 = 0x11ec;
const X25519 = 0x001d;
const P256 = 0x0017;
const P384 = 0x0018;

/**
 * Listens on a raw loopback socket, lets tls.connect with `options` send its first flight, and returns the bytes
 * (read until the parser says the ClientHello is whole, at most 64 KiB or 5 s).
 */
async function captureClientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ClientHello within 5 s')), 5000);
      server.once('connection', (socket) => {
        const chunks: Buffer[] = [];
        socket.on('data', (d: Buffer) => {
          chunks.push(d);
          const all = Buffer.concat(chunks);
          if (parseClientHello(all).kind !== 'incomplete' || all.length > 65_536) {
            clearTimeout(timer);
            socket.destroy();
            resolve(all);
          }
        });
      });
      const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
      client.on('error', () => undefined);
    });
  } finally {
    server.close();
  }
}

/** Re-frames the handshake bytes of `hello` into records of at most `size` bytes each. */
function reframe(hello: Buffer, size: number): Buffer {
  const handshake = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const records: Buffer[] = [];
  for (let at = 0; at < handshake.length; at += size) {
    const fragment = handshake.subarray(at, at + size);
    const header = Buffer.from([0x16, 0x03, 0x01, 0, 0]);
    header.writeUInt16BE(fragment.length, 3);
    records.push(header, fragment);
  }
  return Buffer.concat(records);
}

function helloOf(bytes: Uint8Array): ClientHello {
  const r = parseClientHello(bytes);
  assert.equal(r.kind, 'hello', JSON.stringify(r));
  return (r as { hello: ClientHello }).hello;
}

const SERVER = parseGroupList('X25519MLKEM768:X25519:P-256');

describe('ClientHellos of real clients', () => {
  const captured = new Map<string, Buffer>();
  before(async () => {
    captured.set('default', await captureClientHello({ ALPNProtocols: ['h2'] }));
    captured.set('X25519', await captureClientHello({ ecdhCurve: 'X25519' }));
    captured.set('P-256', await captureClientHello({ ecdhCurve: 'P-256' }));
    captured.set('P-384:X25519MLKEM768', await captureClientHello({ ecdhCurve: 'P-384:X25519MLKEM768' }));
    captured.set('TLS 1.2 only', await captureClientHello({ maxVersion: 'TLSv1.2' }));
  });
  const get = (name: string): Buffer => {
    const b = captured.get(name);
    assert.ok(b !== undefined, `captured ${name}`);
    return b;
  };

  test('a default Node 24 client offers the hybrid first and sends shares for it and X25519', () => {
    const hello = helloOf(get('default'));
    assert.equal(hello.supportedGroups[0], X25519MLKEM768);
    assert.ok(hello.supportedGroups.includes(P256));
    assert.deepEqual(hello.keyShareGroups, [X25519MLKEM768, X25519]);
    assert.ok(hello.versions.includes(0x0304), 'offers TLS 1.3');
    // An X25519MLKEM768 share is 1216 bytes: the hello is larger than a classical one.
    assert.ok(get('default').length > 1216);
  });

  test('restricted clients offer only what they were given', () => {
    assert.deepEqual(helloOf(get('X25519')).supportedGroups, [X25519]);
    assert.deepEqual(helloOf(get('X25519')).keyShareGroups, [X25519]);
    assert.deepEqual(helloOf(get('P-256')).supportedGroups, [P256]);
    assert.deepEqual(helloOf(get('P-256')).keyShareGroups, [P256]);
    const mixed = helloOf(get('P-384:X25519MLKEM768'));
    assert.deepEqual(mixed.supportedGroups, [P384, X25519MLKEM768]);
    assert.deepEqual(mixed.keyShareGroups, [P384]);
  });

  test('the server list predicts the group each client gets', () => {
    assert.ok(typeof SERVER !== 'string');
    const at = (name: string) => predictGroup(SERVER, helloOf(get(name)));
    assert.deepEqual(at('default'), { id: X25519MLKEM768, name: 'X25519MLKEM768', helloRetry: false });
    assert.deepEqual(at('X25519'), { id: X25519, name: 'X25519', helloRetry: false });
    assert.deepEqual(at('P-256'), { id: P256, name: 'P-256', helloRetry: false });
    // No share for a group the server takes: it asks for the hybrid with a HelloRetryRequest.
    assert.deepEqual(at('P-384:X25519MLKEM768'), {
      id: X25519MLKEM768,
      name: 'X25519MLKEM768',
      helloRetry: true,
    });
    assert.equal(at('TLS 1.2 only'), undefined, 'no TLS 1.3: no group');
  });

  test('a ClientHello arriving a byte at a time is incomplete until its last byte', () => {
    const bytes = get('default');
    for (let n = 0; n < bytes.length; n++) {
      assert.equal(parseClientHello(bytes.subarray(0, n)).kind, 'incomplete', `at ${n} bytes`);
    }
    assert.deepEqual(helloOf(bytes), helloOf(Buffer.concat([bytes, Buffer.from('trailing')])));
  });

  test('a ClientHello split over many records reads the same', () => {
    const bytes = get('default');
    for (const size of [1, 7, 100, 512]) {
      const split = reframe(bytes, size);
      assert.deepEqual(helloOf(split), helloOf(bytes), `records of ${size} bytes`);
      assert.equal(parseClientHello(split.subarray(0, split.length - 1)).kind, 'incomplete');
    }
  });

  test('plaintext HTTP/2 and HTTP/1.1 are not TLS', () => {
    assert.equal(parseClientHello(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).kind, 'not-tls');
    assert.equal(
      parseClientHello(Buffer.from('POST /spark.v1.SparkProcessor/Submit HTTP/1.1\r\n')).kind,
      'not-tls',
    );
  });

  test('every corrupted length is malformed or incomplete, never a throw', () => {
    const bytes = get('default');
    let malformed = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (const value of [0x00, 0xff, (bytes[i] as number) ^ 0x01]) {
        const copy = Buffer.from(bytes);
        copy[i] = value as number;
        const r = parseClientHello(copy);
        assert.ok(['hello', 'incomplete', 'malformed', 'not-tls'].includes(r.kind));
        if (r.kind === 'malformed') malformed++;
      }
    }
    assert.ok(malformed > 50, `corruptions were noticed (${malformed})`);
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    assert.equal(parseClientHello(alert).kind, 'not-tls');
    const hugeRecord = Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x01]);
    assert.equal(parseClientHello(hugeRecord).kind, 'malformed');
    const notHello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]);
    assert.equal(parseClientHello(notHello).kind, 'malformed');
  });
});

describe('group lists and prediction', () => {
  const hello = (supported: number[], shares: number[]): ClientHello => ({
    supportedGroups: supported,
    keyShareGroups: shares,
    versions: [0x0304],
  });

  test("names and aliases resolve to IANA ids, Node's curve names included", () => {
    assert.equal(groupByName('prime256v1')?.id, P256);
    assert.equal(groupByName('secp256r1')?.id, P256);
    assert.equal(groupByName('p-256')?.id, P256);
    assert.equal(groupByName('x25519mlkem768')?.id, X25519MLKEM768);
    assert.equal(groupByName('SecP256r1MLKEM768')?.id, 0x11eb);
    assert.equal(groupByName('MLKEM768')?.id, 0x0201);
    assert.equal(groupByName('X448')?.id, 0x001e);
    assert.equal(groupByName('P-384')?.id, P384);
  });

  test('lists parse into tuples; mistakes are named', () => {
    assert.deepEqual(parseGroupList('X25519MLKEM768:X25519:P-256'), [[X25519MLKEM768, X25519, P256]]);
    assert.deepEqual(parseGroupList('*X25519MLKEM768/X25519:?NoSuchGroup:P-256'), [
      [X25519MLKEM768],
      [X25519, P256],
    ]);
    assert.match(parseGroupList('X25519:Bogus') as string, /"Bogus" is not a known TLS group/);
    assert.match(parseGroupList('X25519:x25519') as string, /listed twice/);
    assert.match(parseGroupList('DEFAULT') as string, /explicitly/);
    assert.match(parseGroupList('X25519::P-256') as string, /empty group name/);
  });

  test('server preference decides within a tuple, the first tuple with a common group decides across', () => {
    const one = parseGroupList('X25519MLKEM768:X25519:P-256') as number[][];
    const two = parseGroupList('X25519MLKEM768/X25519:P-256') as number[][];
    assert.equal(predictGroup(one, hello([P256, X25519], [P256, X25519]))?.id, X25519);
    assert.deepEqual(predictGroup(one, hello([X25519, X25519MLKEM768], [X25519])), {
      id: X25519,
      name: 'X25519',
      helloRetry: false,
    });
    assert.deepEqual(predictGroup(two, hello([X25519, X25519MLKEM768], [X25519])), {
      id: X25519MLKEM768,
      name: 'X25519MLKEM768',
      helloRetry: true,
    });
    assert.equal(predictGroup(one, hello([P384], [P384])), undefined);
    assert.equal(predictGroup(one, { ...hello([X25519], [X25519]), versions: [0x0303] }), undefined);
  });
});
