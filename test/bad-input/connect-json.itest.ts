// Malformed Connect JSON over HTTP/1.1 (SPEC §11): broken JSON, wrong JSON types, bad base64, deep nesting, huge
// bodies, wrong content types. Each answer is a Connect error with the canonical code and a message naming what
// is wrong; after each, the server still answers a health check and a Submit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { assertServing, h1Post } from './support.ts';

const LIMIT = 64 * 1024;
const SUBMIT = '/spark.v1.SparkProcessor/Submit';
const VERIFY = '/spark.v1.SparkProcessor/Verify';
const PROVE = '/spark.v1.SparkProcessor/Prove';
const DIGEST = Buffer.alloc(32, 0x11).toString('base64');

interface Case {
  readonly name: string;
  readonly path?: string;
  readonly body: string | Uint8Array;
  readonly contentType?: string;
  /** HTTP status and Connect error code expected. */
  readonly status: number;
  readonly code?: string;
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'an unfinished object',
    body: '{',
    status: 400,
    code: 'invalid_argument',
    message: /from JSON: Expected property name/,
  },
  { name: 'an empty body', body: '', status: 400, code: 'invalid_argument', message: /from JSON/ },
  {
    name: 'an array instead of an object',
    body: '[]',
    status: 400,
    code: 'invalid_argument',
    message: /SubmitRequest from JSON/,
  },
  {
    name: 'null',
    body: 'null',
    status: 400,
    code: 'invalid_argument',
    message: /SubmitRequest from JSON: null/,
  },
  {
    name: 'a number as digest',
    body: '{"digest":12}',
    status: 400,
    code: 'invalid_argument',
    message: /SubmitRequest\.digest from JSON: expected Uint8Array/,
  },
  {
    name: 'bad base64 as digest',
    body: '{"digest":"!!!"}',
    status: 400,
    code: 'invalid_argument',
    message: /digest from JSON: invalid base64/,
  },
  {
    name: 'a 3-byte digest',
    body: '{"digest":"AAAA"}',
    status: 400,
    code: 'invalid_argument',
    message: /^digest: must be 32 bytes, got 3$/,
  },
  {
    name: 'empty data',
    body: '{"data":""}',
    status: 400,
    code: 'invalid_argument',
    message: /^data: must not be empty/,
  },
  {
    name: 'both data and digest',
    body: `{"data":"AA==","digest":"${DIGEST}"}`,
    status: 400,
    code: 'invalid_argument',
    message: /oneof|payload/,
  },
  {
    name: 'a string as a bool',
    body: `{"digest":"${DIGEST}","immediate":"yes"}`,
    status: 400,
    code: 'invalid_argument',
    message: /immediate from JSON: expected boolean/,
  },
  {
    name: 'a number as request_id',
    body: `{"digest":"${DIGEST}","requestId":7}`,
    status: 400,
    code: 'invalid_argument',
    message: /requestId|request_id/,
  },
  {
    name: 'a control character in request_id',
    body: `{"digest":"${DIGEST}","requestId":"a\\u0000b"}`,
    status: 400,
    code: 'invalid_argument',
    message: /^request_id: /,
  },
  {
    name: 'a 10 000-character request_id',
    body: `{"digest":"${DIGEST}","requestId":"${'r'.repeat(10_000)}"}`,
    status: 400,
    code: 'invalid_argument',
    message: /^request_id: /,
  },
  {
    name: '30 000 nested arrays',
    body: '['.repeat(30_000),
    status: 400,
    code: 'invalid_argument',
    message: /from JSON/,
  },
  {
    name: 'nested objects 10 000 deep in an unknown field',
    body: `{"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    status: 400,
    code: 'invalid_argument',
    message: /.+/,
  },
  {
    name: 'invalid UTF-8 in a key (decoded as U+FFFD, an unknown field, so no payload)',
    body: Uint8Array.of(0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d),
    status: 400,
    code: 'invalid_argument',
    message: /^payload: one of data or digest is required$/,
  },
  {
    name: 'a body over the message limit',
    body: `{"data":"${'A'.repeat(LIMIT * 2)}"}`,
    status: 429,
    code: 'resource_exhausted',
    message: new RegExp(`readMaxBytes ${LIMIT}`),
  },
  {
    name: 'a bundle that is not a bundle (Verify)',
    path: VERIFY,
    body: '{"bundle":"AAAA"}',
    status: 400,
    code: 'invalid_argument',
    message: /^bundle: /,
  },
  {
    name: 'a leaf hash of the wrong size (Prove)',
    path: PROVE,
    body: '{"leafHash":"AAAA"}',
    status: 400,
    code: 'invalid_argument',
    message: /^leaf_hash: /,
  },
  {
    name: 'an unknown leaf (Prove)',
    path: PROVE,
    body: `{"leafHash":"${DIGEST}"}`,
    status: 404,
    code: 'not_found',
    message: /^leaf_hash: /,
  },
  {
    name: 'text/plain',
    body: `{"digest":"${DIGEST}"}`,
    contentType: 'text/plain',
    status: 415,
    message: /^$/,
  },
];

describe('malformed Connect JSON (HTTP/1.1)', () => {
  const dir = tempDir('spark-bad-json-');
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({
      dataDir: dir.path,
      env: { SPARK_MAX_MESSAGE_BYTES: String(LIMIT) },
      timeoutMs: 60_000,
    });
  });
  after(async () => {
    const code = await server?.stop();
    dir.cleanup();
    console.log(
      `bad input: ${CASES.length} Connect JSON cases, each followed by a health check and a Submit`,
    );
    assert.equal(code, 0, `the server exits cleanly (stderr: ${server?.stderr()})`);
  });

  for (const c of CASES) {
    test(`${c.name}: HTTP ${c.status}${c.code === undefined ? '' : ` ${c.code}`}`, async () => {
      const r = await h1Post(server.port, c.path ?? SUBMIT, c.body, {
        'content-type': c.contentType ?? 'application/json',
        'connect-protocol-version': '1',
      });
      assert.equal(r.status, c.status, r.body.toString().slice(0, 300));
      if (c.code !== undefined) {
        const e = JSON.parse(r.body.toString()) as { code: string; message: string };
        assert.equal(e.code, c.code);
        assert.match(e.message, c.message);
        assert.ok(e.message.length < 1_000, 'the message does not echo the input');
      }
      await assertServing(server.port);
    });
  }

  test('unknown JSON fields are ignored, as the proto3 JSON mapping allows', async () => {
    const r = await h1Post(server.port, SUBMIT, `{"digest":"${DIGEST}","colour":"blue"}`, {
      'content-type': 'application/json',
    });
    assert.equal(r.status, 200, r.body.toString());
  });
});
