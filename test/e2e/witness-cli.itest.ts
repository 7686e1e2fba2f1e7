// `spark witness` end to end on loopback (docs/witnesses.md): three witness processes — two on docker-secret keys,
// one on a PKCS#11 SoftHSM key — witness a sidecar's log from its exported trust root, quorum 2. Bundles carry
// ≥ 2 valid ML-DSA-44 cosignatures and pass `spark verify --witness-policy` and `--trust`; a witness killed with
// kill -9 and restarted refuses a forged checkpoint that conflicts with one it cosigned, keeps it as evidence
// (`spark witness evidence`), and goes on cosigning the real log. Every process is stopped by PID.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { createDockerSecretProvider } from '../../providers/docker-secret-provider.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createNoteSignatureCheck } from '../../src/note/note-verifier.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { formatCheckpointText, parseCheckpointText } from '../../src/proof/note/checkpoint-text.ts';
import {
  cosignerFromVerifierKey,
  signCosignatureLine,
  verifyCosignature,
} from '../../src/proof/note/cosignature.ts';
import { formatNote, parseNote } from '../../src/proof/note/signed-note.ts';
import { parseVerifierKey } from '../../src/proof/note/verifier-key.ts';
import { trustRootFrom } from '../../src/proof/trust/root-from-history.ts';
import { encodeTrustRoot } from '../../src/proof/trust/trust-root.ts';
import { createTestKey, keyEntry, seedOf } from '../bundle/fixture.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { createSoftHsm } from '../support/softhsm-token.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { makeTestPki } from '../support/tls-certs.ts';

const dir = tempDir('spark-witness-cli-');
const hsm = createSoftHsm();
const pki = makeTestPki();
const running: ServerProcess[] = [];
after(async () => {
  for (const p of running) await p.kill();
  hsm.remove();
  pki.cleanup();
  dir.cleanup();
});

/** A secrets dir holding a fresh PQC seed (and a Symbol seed the provider may ask for). */
function secrets(name: string): string {
  const d = join(dir.path, name);
  mkdirSync(d, { mode: 0o700 });
  writeFileSync(join(d, 'spark_pqc_seed'), randomBytes(32).toString('hex'), { mode: 0o400 });
  writeFileSync(join(d, 'spark_symbol_seed'), randomBytes(32), { mode: 0o400 });
  return d;
}

async function cli(args: string[], env: Record<string, string>) {
  const r = await runCli(args, 60_000, env);
  assert.equal(r.code, 0, `spark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** POSTs an add-checkpoint body to a witness; resolves with the status and body. */
function addCheckpoint(port: number, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/add-checkpoint', method: 'POST', timeout: 10_000 },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('three witness processes cosign a sidecar; kill -9 and restart never cosign a conflicting checkpoint', {
  timeout: 180_000,
}, async () => {
  const check = createNoteSignatureCheck();
  const logSecrets = secrets('log-secrets');
  const logEnv = {
    SPARK_KEY_PROVIDER: 'docker-secret',
    SPARK_SECRETS_DIR: logSecrets,
    PQC_AGGREGATION_THRESHOLD: '1000',
  };
  const dataDir = join(dir.path, 'log-data');
  let log = await startServerProcess({ dataDir, env: logEnv });
  running.push(log);
  const clientsOf = (p: ServerProcess) => {
    const transport = createGrpcTransport({ baseUrl: `http://${p.address}` });
    return { processor: createClient(SparkProcessor, transport), admin: createClient(SparkAdmin, transport) };
  };
  let { processor, admin } = clientsOf(log);
  const sealOne = async (): Promise<string> => {
    const r = await processor.submit({ payload: { case: 'digest', value: randomBytes(32) } });
    await admin.sealNow({});
    return Buffer.from(r.receipt?.leafHash ?? new Uint8Array()).toString('hex');
  };
  await sealOne();
  const root = join(dir.path, 'root.json');
  await cli(['trust', 'export', '--server', log.address, '--out', root], {});

  // Three witnesses: two on docker-secret seeds, one on a SoftHSM token.
  const token = hsm.addToken('witness-hsm');
  const witnessEnvs: Record<string, string>[] = [
    { SPARK_KEY_PROVIDER: 'docker-secret', SPARK_SECRETS_DIR: secrets('w1-secrets') },
    // The second serves TLS 1.3 with a certificate of the test CA, which the log is given in the witnesses file.
    {
      SPARK_KEY_PROVIDER: 'docker-secret',
      SPARK_SECRETS_DIR: secrets('w2-secrets'),
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: pki.server.key,
    },
    {
      SOFTHSM2_CONF: hsm.conf,
      SPARK_KEY_PROVIDER: 'pkcs11',
      SPARK_PKCS11_MODULE: hsm.module,
      SPARK_PKCS11_TOKEN_LABEL: token.label,
      SPARK_SECRETS_DIR: dirname(token.pinFile),
      SPARK_PKCS11_PIN_SECRET: basename(token.pinFile),
    },
  ];
  const names = ['w1.example/a', 'w2.example/b', 'hsm.example/c'];
  const witnessDirs = names.map((_, i) => join(dir.path, `witness-${i}`));
  const vkeys: string[] = [];
  for (const [i, name] of names.entries()) {
    const out = await cli(
      ['witness', 'init', '--data-dir', witnessDirs[i] as string, '--name', name],
      witnessEnvs[i] as Record<string, string>,
    );
    const vkey = out.trim();
    const parsed = parseVerifierKey(vkey);
    assert.ok(typeof parsed !== 'string', `${name}: ${String(parsed)}`);
    assert.equal(parsed.signatureType[0], 0x06, 'an ML-DSA-44 cosigner key by default');
    // init again is idempotent: the same key
    assert.equal(
      (
        await cli(
          ['witness', 'init', '--data-dir', witnessDirs[i] as string, '--name', name],
          witnessEnvs[i] as Record<string, string>,
        )
      ).trim(),
      vkey,
    );
    vkeys.push(vkey);
  }
  const startWitness = async (i: number) => {
    const p = await startServerProcess({
      dataDir: witnessDirs[i] as string,
      command: ['witness', 'serve'],
      args: ['--data-dir', witnessDirs[i] as string, '--listen', '127.0.0.1:0', '--log', root],
      env: witnessEnvs[i] as Record<string, string>,
    });
    running.push(p);
    return p;
  };
  const witnesses = [await startWitness(0), await startWitness(1), await startWitness(2)];
  const file = join(dir.path, 'witnesses.json');
  writeFileSync(
    file,
    JSON.stringify(
      witnesses.map((w, i) =>
        i === 1
          ? { url: `https://127.0.0.1:${w.port}`, vkey: vkeys[i], ca: pki.caCert }
          : { url: `http://127.0.0.1:${w.port}`, vkey: vkeys[i] },
      ),
    ),
  );

  // The sidecar again, now asking the witnesses.
  await log.stop();
  log = await startServerProcess({
    dataDir,
    env: { ...logEnv, SPARK_WITNESSES_FILE: file, SPARK_WITNESS_QUORUM: '2', SPARK_WITNESS_INTERVAL: '1' },
  });
  running.push(log);
  ({ processor, admin } = clientsOf(log));
  const leaf = await sealOne();

  const cosigners = vkeys.map((v) => {
    const k = parseVerifierKey(v);
    assert.ok(typeof k !== 'string');
    const c = cosignerFromVerifierKey(k);
    assert.ok(typeof c !== 'string');
    return c;
  });
  /** Waits (bounded) for the note of `size` to hold `want` cosignatures, each verified. */
  const cosignedNote = async (size: bigint, want: number) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await processor.getCheckpoint({});
      const note = parseNote(res.note);
      assert.ok(typeof note !== 'string');
      const valid = cosigners.filter((c) =>
        note.signatures.some((s) => s.name === c.name && verifyCosignature(c, note.text, s, check).ok),
      );
      if (res.size === size && valid.length === want) return { note, text: res.note };
      if (Date.now() > deadline)
        assert.fail(`no note of size ${size} with ${want} valid cosignatures: ${res.note}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const two = await cosignedNote(2n, 3);
  const status = JSON.parse(await cli(['status', '--server', log.address, '--json'], {})) as {
    witnesses: {
      quorum: number;
      cosignatures: number;
      met: boolean;
      witnesses: Array<{ name: string; lastError: string | null }>;
    };
  };
  assert.deepEqual(
    [status.witnesses.quorum, status.witnesses.cosignatures, status.witnesses.met],
    [2, 3, true],
  );
  assert.deepEqual(
    status.witnesses.witnesses.map((x) => x.lastError),
    [null, null, null],
  );
  const metrics = await fetch(`http://127.0.0.1:${log.httpPort}/metrics`).then((r) => r.text());
  assert.match(metrics, /^spark_witness_quorum_met 1$/m);
  assert.match(metrics, /^spark_witness_cosignatures 3$/m);

  // The bundle carries them; spark verify enforces a policy file and the re-exported trust root.
  const bundle = join(dir.path, 'leaf.spark');
  await cli(['prove', '--server', log.address, '--leaf', leaf, '--out', bundle], {});
  const policy = join(dir.path, 'policy.json');
  writeFileSync(policy, JSON.stringify({ quorum: 2, vkeys }));
  const verified = JSON.parse(await cli(['verify', bundle, '--witness-policy', policy, '--json'], {})) as {
    valid: boolean;
    checks: Array<{ name: string; ok: boolean; detail: string }>;
  };
  const w = verified.checks.find((c) => c.name === 'witnesses');
  assert.ok(w?.ok, w?.detail);
  assert.match(w?.detail ?? '', /cosigned by 3 of 3 witnesses/);
  const root2 = join(dir.path, 'root2.json');
  await cli(['trust', 'export', '--server', log.address, '--out', root2], {});
  const exported = JSON.parse(readFileSync(root2, 'utf8')) as {
    witnesses: Array<{ vkey: string }>;
    witnessQuorum: number;
  };
  assert.deepEqual(
    [exported.witnesses.map((x) => x.vkey).sort(), exported.witnessQuorum],
    [[...vkeys].sort(), 2],
  );
  assert.match(await cli(['verify', bundle, '--trust', root2], {}), /^VALID, no data checked$/m);
  // A policy of three other witnesses' keys, quorum 1: no valid cosignature, exit 1 naming the check.
  const stranger = join(dir.path, 'stranger.json');
  writeFileSync(
    stranger,
    JSON.stringify({ quorum: 1, vkeys: [vkeys[0]?.replace('w1.example/a', 'w9.example/z')] }),
  );
  const refused = await runCli(['verify', bundle, '--witness-policy', stranger], 60_000, {});
  assert.ok(refused.code !== 0);

  // kill -9 the first witness after it cosigned size 2, restart it on the same data dir.
  const first = witnesses[0] as ServerProcess;
  const port = first.port;
  await first.kill();
  const again = await startServerProcess({
    dataDir: witnessDirs[0] as string,
    command: ['witness', 'serve'],
    args: ['--data-dir', witnessDirs[0] as string, '--listen', `127.0.0.1:${port}`, '--log', root],
    env: witnessEnvs[0] as Record<string, string>,
  });
  running.push(again);

  // A forged checkpoint of size 2 with another root, signed with the log's real key (its seed is in this test).
  const provider = createDockerSecretProvider({ dir: logSecrets });
  const logKey = await provider.open('batch-signing', ML_DSA_65, 0);
  const cp = parseCheckpointText(two.note.text);
  assert.ok(typeof cp !== 'string');
  const forgedText = formatCheckpointText({ ...cp, root: new Uint8Array(randomBytes(32)) });
  const forgedSig = await signCosignatureLine(
    { name: cp.origin, algorithm: 'ML-DSA-65', publicKey: logKey.publicKey },
    forgedText,
    BigInt(Math.floor(Date.now() / 1000)),
    (m) => logKey.sign(m, new Uint8Array(0)),
  );
  await provider.close();
  const forged = formatNote({ text: forgedText, signatures: [forgedSig] });
  const answer = await addCheckpoint(port, `old 2\n\n${forged}`);
  assert.equal(answer.status, 409, answer.body);
  const evidence = JSON.parse(
    await cli(['witness', 'evidence', '--data-dir', witnessDirs[0] as string, '--json'], {}),
  ) as {
    evidence: Array<{ kind: string; conflicting: string; cosigned: string }>;
  };
  assert.equal(evidence.evidence.length, 1);
  assert.equal(evidence.evidence[0]?.kind, 'same-size-other-root');
  assert.equal(evidence.evidence[0]?.conflicting, forged);
  // The same forgery sent as if the witness held nothing: still refused (it never rolls back).
  assert.equal((await addCheckpoint(port, `old 0\n\n${forged}`)).status, 409);

  const witnessMetrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  assert.match(witnessMetrics, /^spark_witness_equivocations_total\{kind="same-size-other-root"\} 1$/m);
  assert.match(witnessMetrics, /^spark_witness_requests_total\{status="409"\} 2$/m);

  // And the restarted witness goes on cosigning the real log.
  await sealOne();
  await cosignedNote(3n, 3);

  // One witness stopped: the next batch still gets a quorum, and its bundle passes the policy.
  await again.stop();
  const oneDown = await sealOne();
  await cosignedNote(4n, 2);
  const twoBundle = join(dir.path, 'two.spark');
  await cli(['prove', '--server', log.address, '--leaf', oneDown, '--out', twoBundle], {});
  await cli(['verify', twoBundle, '--witness-policy', policy], {});

  // Two stopped: the next batch's bundle has one cosignature; verify with the policy exits 1 naming the check.
  // They come back and the same leaf's bundle, fetched again, passes.
  await (witnesses[1] as ServerProcess).stop();
  const lonely = await sealOne();
  await cosignedNote(5n, 1);
  const lonelyBundle = join(dir.path, 'lonely.spark');
  await cli(['prove', '--server', log.address, '--leaf', lonely, '--out', lonelyBundle], {});
  const below = await runCli(['verify', lonelyBundle, '--witness-policy', policy, '--json'], 60_000, {});
  assert.equal(below.code, 1, below.stderr);
  const belowReport = JSON.parse(below.stdout) as {
    verdict: string;
    checks: Array<{ name: string; ok: boolean; detail: string }>;
  };
  assert.equal(belowReport.verdict, 'INVALID: failed witnesses');
  assert.match(
    belowReport.checks.find((c) => c.name === 'witnesses')?.detail ?? '',
    /1 valid cosignature\(s\).*2 needed/,
  );
  for (const i of [0, 1]) {
    const p = await startServerProcess({
      dataDir: witnessDirs[i] as string,
      command: ['witness', 'serve'],
      args: [
        '--data-dir',
        witnessDirs[i] as string,
        '--listen',
        `127.0.0.1:${(witnesses[i] as ServerProcess).port}`,
        '--log',
        root,
      ],
      env: witnessEnvs[i] as Record<string, string>,
    });
    running.push(p);
  }
  await cosignedNote(5n, 3);
  const upgraded = join(dir.path, 'lonely-again.spark');
  await cli(['prove', '--server', log.address, '--leaf', lonely, '--out', upgraded], {});
  const recovered = JSON.parse(await cli(['verify', upgraded, '--witness-policy', policy, '--json'], {})) as {
    valid: boolean;
  };
  assert.equal(recovered.valid, true);

  // No seed or PIN of any party in what any process printed, nor in the evidence a witness keeps.
  const secretsOf = new Map<string, Uint8Array>();
  for (const name of ['log-secrets', 'w1-secrets', 'w2-secrets']) {
    secretsOf.set(
      `${name} PQC seed`,
      Buffer.from(readFileSync(join(dir.path, name, 'spark_pqc_seed'), 'utf8').trim(), 'hex'),
    );
    secretsOf.set(`${name} Symbol seed`, readFileSync(join(dir.path, name, 'spark_symbol_seed')));
  }
  for (const p of running)
    assertNoSecrets(`${p.logs.join('\n')}\n${p.stderr()}`, secretsOf, `process ${p.child.pid}`);
  for (const p of running)
    assert.ok(!`${p.logs.join('\n')}${p.stderr()}`.includes(token.pin), 'the token PIN printed');
  assertNoSecrets(JSON.stringify(evidence), secretsOf, 'the evidence');
});

test('spark witness init: an Ed25519 key on request, and clear refusals', async () => {
  const env = { SPARK_KEY_PROVIDER: 'docker-secret', SPARK_SECRETS_DIR: secrets('ed-secrets') };
  const wdir = join(dir.path, 'witness-ed');
  const vkey = parseVerifierKey(
    (
      await cli(
        ['witness', 'init', '--data-dir', wdir, '--name', 'ed.example/w', '--algorithm', 'Ed25519'],
        env,
      )
    ).trim(),
  );
  assert.ok(typeof vkey !== 'string', String(vkey));
  assert.deepEqual([vkey.signatureType[0], vkey.publicKey.length], [0x04, 32]);
  const refusals: Array<[string[], Record<string, string>, RegExp]> = [
    [
      ['witness', 'init', '--data-dir', wdir, '--name', 'other.example/w'],
      env,
      /already holds the witness ed\.example\/w/,
    ],
    [
      [
        'witness',
        'init',
        '--data-dir',
        join(dir.path, 'w-rsa'),
        '--name',
        'x.example/w',
        '--algorithm',
        'RSA',
      ],
      env,
      /--algorithm must be one of ML-DSA-44, ML-DSA-65, Ed25519/,
    ],
    [
      ['witness', 'init', '--data-dir', join(dir.path, 'w-mem'), '--name', 'x.example/w'],
      {},
      /must outlive the process: set SPARK_KEY_PROVIDER/,
    ],
    [['witness', 'init', '--data-dir', join(dir.path, 'w-name'), '--name', 'has space'], env, /--name: /],
    [
      ['witness', 'serve', '--data-dir', join(dir.path, 'w-none'), '--log', join(dir.path, 'missing.json')],
      env,
      /--log: .*missing\.json/,
    ],
  ];
  for (const [args, e, message] of refusals) {
    const r = await runCli(args, 60_000, e);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }

  // A throwaway witness on memory keys, asked for by name: a new key at each start, said in a warning and on GET /.
  const memDir = join(dir.path, 'w-ephemeral');
  assert.match(
    await cli(['witness', 'init', '--data-dir', memDir, '--name', 'dev.example/w', '--ephemeral-keys'], {}),
    /ephemeral keys/,
  );
  // Any log's root: one key of a test log.
  const entry = keyEntry(createTestKey(seedOf(0x0e)), { validFromMs: 1_760_000_000_000 });
  const made = trustRootFrom(
    { logId: new Uint8Array(32).fill(0x0e), history: [entry], createdAtMs: 1_760_000_000_000 },
    createNativeVerifier(),
    nativeSha256,
  );
  assert.ok(made.ok);
  const root = join(dir.path, 'ephemeral-root.json');
  writeFileSync(root, encodeTrustRoot(made.value));
  const vkeys: string[] = [];
  for (let start = 0; start < 2; start++) {
    const p = await startServerProcess({
      dataDir: memDir,
      command: ['witness', 'serve'],
      args: ['--data-dir', memDir, '--listen', '127.0.0.1:0', '--log', root, '--ephemeral-keys'],
      env: {},
    });
    running.push(p);
    const vkey = (await fetch(`http://127.0.0.1:${p.port}/`).then((r) => r.text())).trim();
    assert.ok(p.logs.some((l) => l.includes('ephemeral witness key') && l.includes(vkey)));
    vkeys.push(vkey);
    await p.stop();
  }
  assert.notEqual(vkeys[0], vkeys[1]);
});
