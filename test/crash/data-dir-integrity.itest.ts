// `spark serve` on a damaged or newer data dir: exit status 2 and one line on stderr saying what is wrong with
// which file or record, no stack trace, nothing listening, and the data file left as it was.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, cpSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { open } from 'lmdb';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { DB_NAMES, LMDB_FORMAT_VERSION, META_FORMAT, u32Key, u64Key } from '../../src/store/lmdb-layout.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

const DATA = 'data.mdb';

async function poke(path: string, dbName: string, key: Buffer, value: Buffer): Promise<void> {
  const root = open<Buffer, Buffer>({ path, encoding: 'binary', keyEncoding: 'binary', maxDbs: 16 });
  try {
    await root.openDB<Buffer, Buffer>(dbName, { encoding: 'binary', keyEncoding: 'binary' }).put(key, value);
  } finally {
    await root.close();
  }
}

function overwrite(file: string, at: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}

const digestOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('spark serve refuses an unusable data dir', () => {
  const tmp = tempDir('spark-integrity-');
  const pristine = join(tmp.path, 'pristine');
  let n = 0;
  const copy = (): { dir: string; file: string } => {
    const dir = join(tmp.path, `case-${n++}`);
    cpSync(pristine, dir, { recursive: true });
    return { dir, file: join(dir, DATA) };
  };

  /** Runs `spark serve` on `dir` and checks the refusal; returns the stderr line. */
  async function refusal(dir: string): Promise<string> {
    const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir], 30_000, {
      SPARK_LOG_LEVEL: 'info',
    });
    assert.equal(r.code, 2, `exit status; stderr: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /"listening"/, 'it never listened');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.match(lines[0] ?? '', /^spark: /);
    return lines[0] ?? '';
  }

  before(async () => {
    // A data dir a real sidecar wrote: a key, leaves, a sealed batch.
    const server = await startServerProcess({ dataDir: pristine });
    try {
      const transport = createGrpcTransport({ baseUrl: `http://${server.address}` });
      const proc = createClient(SparkProcessor, transport);
      for (let i = 0; i < 3; i++) await proc.submit({ payload: { case: 'digest', value: randomBytes(32) } });
      await createClient(SparkAdmin, transport).sealNow({});
      assert.equal(await server.stop(), 0);
    } finally {
      await server.kill();
    }
  });
  after(tmp.cleanup);

  test('a newer store format: the versions, and upgrade the sidecar', async () => {
    const { dir } = copy();
    await poke(dir, DB_NAMES.meta, META_FORMAT, u32Key(LMDB_FORMAT_VERSION + 1));
    const line = await refusal(dir);
    assert.equal(
      line,
      `spark: cannot start: data dir ${dir} has store format version ${LMDB_FORMAT_VERSION + 1}; this build reads up to version ${LMDB_FORMAT_VERSION}: upgrade the sidecar`,
    );
  });

  test('garbage over the header pages of data.mdb', async () => {
    const { dir, file } = copy();
    overwrite(file, 0, randomBytes(8192));
    const before = digestOf(file);
    const line = await refusal(dir);
    assert.match(line, new RegExp(`LMDB data file ${file} is corrupt: not an LMDB file`));
    assert.match(line, /restore the data dir from a backup/);
    assert.equal(digestOf(file), before, 'the refused start left the file as it was');
  });

  test('a truncated data.mdb', async () => {
    const { dir, file } = copy();
    const size = statSync(file).size;
    truncateSync(file, Math.floor(size / 2));
    const line = await refusal(dir);
    assert.match(
      line,
      new RegExp(`LMDB data file ${file} is truncated: it has ${Math.floor(size / 2)} bytes`),
    );
    assert.equal(statSync(file).size, Math.floor(size / 2), 'the file was not extended or rewritten');
  });

  test('an empty data.mdb is not taken for a new store', async () => {
    const { dir, file } = copy();
    truncateSync(file, 0);
    const line = await refusal(dir);
    assert.match(line, /is empty \(0 bytes\)/);
    assert.equal(statSync(file).size, 0);
  });

  test('a head batch record that does not decode', async () => {
    const { dir } = copy();
    await poke(dir, DB_NAMES.batches, u64Key(0), Buffer.from('not a batch'));
    const line = await refusal(dir);
    assert.equal(
      line.startsWith(`spark: cannot start: data dir ${dir}: store record batches/0 is corrupt: `),
      true,
      line,
    );
  });
});
