// The image for real, without Docker Hub: a debootstrapped bookworm base with the project's own Node 24 stands in
// for the official image, the project's Dockerfile is built on it with podman, and the image runs hardened
// (--read-only, no capabilities, no-new-privileges, 1000:1000, a seed secret, a data volume, the port on
// 127.0.0.1 only). From the host the project's CLI submits, proves (--wait) and verifies against it; inside,
// the server runs as 1000 with CapEff 0 and cannot write its root file system. A second container from the same
// image on the same volume (an upgrade) still serves the first one's proofs. Everything started is removed in
// `after`, also on failure. Skipped (with the reason) only off CI on a machine without podman, runc,
// debootstrap or root; on CI (.ci/run installs them) a missing tool fails.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/spawn-server.ts';
import {
  buildNodeBase,
  cacheDir,
  debianTarball,
  dockerfileNodeVersion,
  npmBuildSecrets,
  pinnedNodeVersion,
  ROOT,
} from './base-image.ts';
import { missingContainerTools, Podman, removeTree, tail } from './podman.ts';

const IMAGE = 'localhost/spark-processor:container-test';
const FILES = 3;

const missing = missingContainerTools();
const skip = missing !== undefined && process.env['CI'] === undefined ? missing : false;

/** The server's health over the Connect protocol from the host, or the error. */
async function health(address: string): Promise<string> {
  try {
    const r = await fetch(`http://${address}/grpc.health.v1.Health/Check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    return ((await r.json()) as { status?: string }).status ?? `HTTP ${r.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Waits (at most 60 s, 120 tries) until the container's server is SERVING on the published port. */
async function waitServing(podman: Podman, id: string, address: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 120; i++) {
    last = await health(address);
    if (last === 'SERVING') return;
    const state = await podman.run(['inspect', '--format', '{{.State.Status}}', id]);
    if (state.stdout.trim() !== 'running') {
      const logs = await podman.run(['logs', id]);
      throw new Error(`container is ${state.stdout.trim()}:\n${tail(logs.stdout)}\n${tail(logs.stderr)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`not SERVING within 60 s (last: ${last})`);
}

test('the Dockerfile pins the Node the project pins', { skip }, () => {
  assert.equal(dockerfileNodeVersion(), pinnedNodeVersion(), 'ARG NODE_VERSION in the Dockerfile');
});

test('the image builds on a debootstrapped base and serves submit → prove → VALID while read-only, without capabilities, as 1000', {
  skip,
  timeout: 12 * 60_000,
}, async (t) => {
  assert.equal(missing, undefined, `container tools: ${missing}`);
  const timings: Record<string, string> = {};
  const seconds = (s: number) => `${s.toFixed(1)} s`;
  const note = (step: string, value: string) => {
    timings[step] = value;
    console.log(`container test: ${step}: ${value}`);
  };

  const work = mkdtempSync(join(tmpdir(), 'spark-container-'));
  const podman = new Podman(work);
  const secrets = mkdtempSync(join('/dev/shm', 'spark-secrets-'));
  const files = mkdtempSync(join(tmpdir(), 'spark-container-files-'));
  t.after(async () => {
    await podman.cleanup();
    rmSync(secrets, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
    await removeTree(work);
  });

  // 1. Base: Debian bookworm (cached tarball) + the pinned Node 24, laid out like the official image.
  const debian = await debianTarball(work);
  note('debootstrap', debian.cached ? `cached (${cacheDir()})` : seconds(debian.seconds));
  const base = `localhost/spark-test-node:${pinnedNodeVersion()}-bookworm`;
  note('base image', seconds(await buildNodeBase(podman, debian.path, base)));

  // 2. The project's Dockerfile on that base; npm's registry settings only as build secrets.
  const npm = npmBuildSecrets();
  let build: Awaited<ReturnType<Podman['run']>>;
  try {
    build = await podman.run(
      [
        'build',
        '--pull=never',
        '--format=docker', // keeps HEALTHCHECK (the OCI format has none)
        '--build-arg',
        `NODE_IMAGE=${base}`,
        ...npm.args,
        '-t',
        IMAGE,
        '-f',
        join(ROOT, 'Dockerfile'),
        ROOT,
      ],
      480_000,
    );
  } finally {
    rmSync(npm.dir, { recursive: true, force: true });
  }
  assert.equal(build.code, 0, `podman build failed:\n${tail(build.stdout)}\n${tail(build.stderr)}`);
  note('image build', seconds(build.seconds));
  const size = await podman.check(['image', 'inspect', '--format', '{{.Size}}', IMAGE]);
  note('image size', `${Math.round(Number(size.stdout.trim()) / 1e6)} MB`);
  const [inspected] = JSON.parse((await podman.check(['image', 'inspect', IMAGE])).stdout) as {
    Config?: { User?: string; Env?: string[]; Cmd?: string[] };
    Healthcheck?: { Test?: string[] };
  }[];
  assert.equal(inspected?.Config?.User, '1000:1000');
  assert.ok(
    inspected?.Config?.Env?.includes('SPARK_KEY_PROVIDER=docker-secret'),
    'keys from secrets by default',
  );
  assert.ok(inspected?.Config?.Env?.includes('SPARK_LISTEN=0.0.0.0:50051'));
  assert.deepEqual(inspected?.Config?.Cmd, ['serve', '--insecure'], 'plaintext beyond loopback only by name');
  assert.deepEqual(
    inspected?.Healthcheck?.Test?.slice(0, 3),
    ['CMD', 'node', '-e'],
    'HEALTHCHECK runs the image’s node',
  );

  // 3. Secrets (0400, uid 1000, on a tmpfs) and a data volume.
  for (const name of ['spark_pqc_seed', 'spark_symbol_seed']) {
    const path = join(secrets, name);
    writeFileSync(path, `${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}\n`);
    chownSync(path, 1000, 1000);
    chmodSync(path, 0o400);
  }
  await podman.check(['volume', 'create', 'spark-data']);
  const hardened = (extra: readonly string[] = []) => [
    '--read-only',
    '--read-only-tmpfs=false', // as Docker's --read-only: no tmpfs on /tmp, /run, /var/tmp either
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    '--user=1000:1000',
    '--memory=512m',
    '--pids-limit=256',
    '-v',
    `${join(secrets, 'spark_pqc_seed')}:/run/secrets/spark_pqc_seed:ro`,
    '-v',
    `${join(secrets, 'spark_symbol_seed')}:/run/secrets/spark_symbol_seed:ro`,
    '-v',
    'spark-data:/data',
    '-p',
    '127.0.0.1::50051',
    '-e',
    'PQC_AGGREGATION_THRESHOLD=3',
    '-e',
    'PQC_AGGREGATION_TIMEOUT=2',
    ...extra,
    IMAGE,
  ];

  // 4. Run hardened; the port is published on the host's loopback only.
  let started = performance.now();
  const first = await podman.startContainer(hardened());
  const port = (await podman.check(['port', first, '50051/tcp'])).stdout.trim();
  assert.match(port, /^127\.0\.0\.1:\d+$/, `published on loopback only, got ${port}`);
  await waitServing(podman, first, port);
  note('start to SERVING', seconds((performance.now() - started) / 1000));
  const hc = await podman.run(['healthcheck', 'run', first]);
  assert.equal(hc.code, 0, `the image's HEALTHCHECK: ${tail(hc.stdout)} ${tail(hc.stderr)}`);

  // 5. Inside: who runs, what it may do, where it may write.
  const id = await podman.run(['exec', first, 'id', '-u']);
  const uid =
    id.code === 127
      ? (await podman.check(['exec', first, 'node', '-p', 'process.getuid()'])).stdout.trim()
      : id.stdout.trim();
  assert.equal(uid, '1000', `id -u inside: ${uid} ${tail(id.stderr)}`);
  const probe = await podman.check([
    'exec',
    first,
    'node',
    '-e',
    `const fs = require('node:fs');
       const st = Object.fromEntries(fs.readFileSync('/proc/1/status', 'utf8').split('\\n')
         .map((l) => l.split(':\\t')).filter((p) => p.length === 2).map(([k, v]) => [k, v.trim()]));
       const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); fs.rmSync(p); return 'written'; } catch (e) { return e.code; } };
       console.log(JSON.stringify({
         cmd: fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').join(' ').trim(),
         uid: st.Uid, gid: st.Gid, capEff: st.CapEff, capPrm: st.CapPrm, capBnd: st.CapBnd, noNewPrivs: st.NoNewPrivs,
         writes: Object.fromEntries(['/probe', '/app/probe', '/app/src/probe', '/tmp/probe', '/run/probe', '/data/probe']
           .map((p) => [p, tryWrite(p)])),
       }));`,
  ]);
  const inside = JSON.parse(probe.stdout) as {
    cmd: string;
    uid: string;
    gid: string;
    capEff: string;
    capPrm: string;
    capBnd: string;
    noNewPrivs: string;
    writes: Record<string, string>;
  };
  assert.match(inside.cmd, /spark\.ts serve/, 'PID 1 is the server');
  assert.equal(inside.uid.split(/\s+/).join(' '), '1000 1000 1000 1000', 'real, effective, saved, fs uid');
  assert.equal(inside.gid.split(/\s+/).join(' '), '1000 1000 1000 1000');
  assert.equal(BigInt(`0x${inside.capEff}`), 0n, `CapEff ${inside.capEff}`);
  assert.equal(BigInt(`0x${inside.capPrm}`), 0n, `CapPrm ${inside.capPrm}`);
  assert.equal(BigInt(`0x${inside.capBnd}`), 0n, `CapBnd ${inside.capBnd}`);
  assert.equal(inside.noNewPrivs, '1');
  for (const p of ['/probe', '/app/probe', '/app/src/probe', '/tmp/probe', '/run/probe']) {
    assert.equal(inside.writes[p], 'EROFS', `writing ${p} must fail on the read-only root`);
  }
  assert.equal(inside.writes['/data/probe'], 'written', 'the data volume is writable');
  const ro = await podman.check(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', first]);
  assert.equal(ro.stdout.trim(), 'true');

  // 6. From the host: submit → prove --wait → verify, with the project's CLI.
  started = performance.now();
  const docs = Array.from({ length: FILES }, (_, i) => {
    const path = join(files, `doc-${i}.txt`);
    writeFileSync(path, `container document ${i}\n`);
    return path;
  });
  const leaves: string[] = [];
  for (const doc of docs) {
    const r = await runCli(['submit', '--server', port, '--file', doc, '--json']);
    assert.equal(r.code, 0, r.stderr);
    leaves.push((JSON.parse(r.stdout) as { leafHash: string }).leafHash);
  }
  for (const [i, leaf] of leaves.entries()) {
    const out = join(files, `doc-${i}.spark`);
    const proved = await runCli(['prove', '--server', port, '--leaf', leaf, '--wait', '30', '--out', out]);
    assert.equal(proved.code, 0, proved.stderr);
    const good = await runCli(['verify', out, '--data', docs[i] as string]);
    assert.equal(good.code, 0, `${good.stdout}${good.stderr}`);
    assert.match(good.stdout, /\bVALID\b/);
    assert.doesNotMatch(good.stdout, /INVALID/);
  }
  const wrong = await runCli(['verify', join(files, 'doc-0.spark'), '--data', docs[1] as string]);
  assert.equal(wrong.code, 1, 'a bundle fails with another file');
  assert.match(wrong.stdout, /INVALID: failed subject/);
  note('submit → prove → verify', seconds((performance.now() - started) / 1000));
  const logs = await podman.check(['logs', first]);
  assert.match(logs.stdout, /"provider":"docker-secret"/, 'keys came from the secret files');

  // 7. SIGTERM drains and exits 0; a new container on the same volume (an upgrade) serves the old proofs.
  started = performance.now();
  await podman.check(['stop', '-t', '15', first], 30_000);
  const exit = await podman.check(['inspect', '--format', '{{.State.ExitCode}}', first]);
  assert.equal(exit.stdout.trim(), '0', 'podman stop (SIGTERM) ends the server cleanly');
  await podman.removeContainer(first);
  const second = await podman.startContainer(hardened());
  const port2 = (await podman.check(['port', second, '50051/tcp'])).stdout.trim();
  await waitServing(podman, second, port2);
  const again = join(files, 'again.spark');
  const reproved = await runCli(['prove', '--server', port2, '--leaf', leaves[0] as string, '--out', again]);
  assert.equal(reproved.code, 0, `the volume keeps batches across containers: ${reproved.stderr}`);
  const still = await runCli(['verify', again, '--data', docs[0] as string]);
  assert.equal(still.code, 0, still.stdout);
  assert.deepEqual(readFileSync(again), readFileSync(join(files, 'doc-0.spark')), 'the same bundle');
  await podman.check(['stop', '-t', '15', second], 30_000);
  note('restart on the volume', seconds((performance.now() - started) / 1000));

  t.diagnostic(
    `timings: ${Object.entries(timings)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}`,
  );
  console.log(`container test timings: ${JSON.stringify(timings)}`);
});
