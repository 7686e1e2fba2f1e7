// The offline stand-in for the official Node 24 image: Debian bookworm from debootstrap (cached as a tarball),
// the project's own pinned Node binary, the machine's npm and Node headers, laid out as the official image
// lays them out (/usr/local/bin/node, /usr/local/lib/node_modules/npm, /usr/local/include/node, user node 1000).
// Also: the npm settings the image build needs, handed over as build secrets and never stored.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { hideHost, type Podman, removeTree, runCommand, tail } from './podman.ts';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** The Node version the project pins (devDependency "node"). */
export function pinnedNodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const v = pkg.devDependencies?.['node'];
  if (v === undefined || !/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`package.json pins no exact node: ${v}`);
  return v;
}

/** The default of `ARG NODE_VERSION` in the Dockerfile. */
export function dockerfileNodeVersion(): string | undefined {
  return /^ARG NODE_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
}

/** Where the debootstrap tarball is kept between runs. */
export function cacheDir(): string {
  return (
    process.env['SPARK_CONTAINER_CACHE'] ??
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'spark-processor', 'container-test')
  );
}

/** The Debian mirror apt on this machine already uses (never printed), or undefined for debootstrap's own. */
function aptMirror(): string | undefined {
  const files = ['/etc/apt/sources.list'];
  const d = '/etc/apt/sources.list.d';
  if (existsSync(d)) files.push(...readdirSync(d).map((f) => join(d, f)));
  for (const file of files.filter((f) => /\.(list|sources)$/.test(f) && existsSync(f))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^(?:URIs:|deb)\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)/.exec(line.trim());
      if (m?.[1] !== undefined && !m[1].includes('security')) {
        hideHost(new URL(m[1]).host);
        return m[1];
      }
    }
  }
  return undefined;
}

const MAX_CACHE_AGE_MS = 30 * 86_400_000;

/**
 * A tarball of a minimal Debian bookworm root file system: from the cache when one younger than 30 days is
 * there, else made with debootstrap in `workDir` and stored in the cache (renamed into place when complete).
 */
export async function debianTarball(
  workDir: string,
): Promise<{ path: string; seconds: number; cached: boolean }> {
  const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim() || 'amd64';
  const dir = cacheDir();
  const path = join(dir, `debian-bookworm-minbase-${arch}.tar`);
  if (
    existsSync(path) &&
    Date.now() - statSync(path).mtimeMs < MAX_CACHE_AGE_MS &&
    statSync(path).size > 50e6
  ) {
    return { path, seconds: 0, cached: true };
  }
  const started = performance.now();
  const rootfs = join(workDir, 'rootfs');
  const mirror = aptMirror();
  try {
    const r = await runCommand(
      'debootstrap',
      ['--variant=minbase', `--arch=${arch}`, 'bookworm', rootfs, ...(mirror === undefined ? [] : [mirror])],
      { timeoutMs: 360_000 },
    );
    if (r.code !== 0)
      throw new Error(`debootstrap exited ${r.code}:\n${tail(r.stdout, 20)}\n${tail(r.stderr, 20)}`);
    mkdirSync(dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    const t = await runCommand('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.'], {
      timeoutMs: 120_000,
    });
    if (t.code !== 0) throw new Error(`tar exited ${t.code}: ${tail(t.stderr, 10)}`);
    renameSync(partial, path);
  } finally {
    await removeTree(rootfs);
  }
  return { path, seconds: (performance.now() - started) / 1000, cached: false };
}

/** The machine's npm package directory (the one `npm` on PATH runs). */
function npmPackageDir(): string {
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (which === '') throw new Error('npm is not on PATH');
  const dir = dirname(dirname(realpathSync(which)));
  if (!existsSync(join(dir, 'bin', 'npm-cli.js'))) throw new Error(`no npm-cli.js under ${dir}`);
  return dir;
}

/** One npm setting of this machine, or undefined (the value is never printed). */
function npmConfig(key: string): string | undefined {
  const r = spawnSync('npm', ['config', 'get', key], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const v = r.stdout.trim();
  return r.status !== 0 || v === '' || v === 'null' || v === 'undefined' ? undefined : v;
}

/**
 * Node's headers for node-gyp: the directory npm here is set to build against (nodedir), else the machine
 * Node's. pkcs11js uses Node-API only, which is ABI-stable, so the machine Node's headers build an addon the
 * pinned Node 24 loads; the official image ships its own.
 */
function nodeHeadersDir(): string {
  const candidates = [npmConfig('nodedir'), '/usr', '/usr/local']
    .filter((d): d is string => d !== undefined)
    .map((d) => join(d, 'include', 'node'));
  const found = candidates.find(
    (d) => existsSync(join(d, 'common.gypi')) && existsSync(join(d, 'node_api.h')),
  );
  if (found === undefined)
    throw new Error(`no Node headers (common.gypi, node_api.h) in ${candidates.join(', ')}`);
  return found;
}

/** Imports the Debian tarball and adds Node, npm, headers and user node (1000:1000); returns seconds taken. */
export async function buildNodeBase(podman: Podman, tarball: string, tag: string): Promise<number> {
  const started = performance.now();
  const debianTag = 'localhost/spark-test-debian:bookworm';
  await podman.check(['import', '--quiet', tarball, debianTag], 180_000);
  const ctx = join(podman.workDir, 'base-context');
  mkdirSync(ctx, { recursive: true });
  const node = realpathSync(join(ROOT, 'node_modules', 'node', 'bin', 'node'));
  copyFileSync(node, join(ctx, 'node'));
  chmodSync(join(ctx, 'node'), 0o755);
  cpSync(npmPackageDir(), join(ctx, 'npm'), { recursive: true, verbatimSymlinks: true });
  cpSync(nodeHeadersDir(), join(ctx, 'include'), { recursive: true });
  writeFileSync(
    join(ctx, 'Containerfile'),
    `FROM ${debianTag}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY include /usr/local/include/node
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
`,
  );
  await podman.check(
    ['build', '--quiet', '--pull=never', '--network=none', '--format=docker', '-t', tag, ctx],
    300_000,
  );
  await removeTree(ctx);
  return (performance.now() - started) / 1000;
}

/** Debian's bundle of the CAs this machine trusts (update-ca-certificates). */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * This machine's npm registry settings as build secrets: an npmrc naming the registry (and the CA file and
 * proxies, when npm here uses them) and the CA bundle itself. Written to a fresh 0700 directory on a tmpfs when
 * there is one; the caller deletes it right after the build. Nothing here is printed or stored in the project.
 */
export function npmBuildSecrets(): { args: string[]; dir: string } {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'spark-npm-secrets-'));
  const lines: string[] = [];
  const registry = npmConfig('registry');
  if (registry !== undefined) {
    hideHost(new URL(registry).host);
    lines.push(`registry=${registry}`);
  }
  for (const key of ['https-proxy', 'proxy', 'noproxy']) {
    const v = npmConfig(key);
    if (v !== undefined) lines.push(`${key}=${v}`);
  }
  const args: string[] = [];
  // npm's cafile when it has one; else the machine's CA bundle (which npm may read from a global npmrc that a
  // different Node's npm, such as the pinned Node 24's, does not see).
  const cafile = npmConfig('cafile') ?? SYSTEM_CA_BUNDLE;
  if (cafile !== undefined && existsSync(cafile)) {
    copyFileSync(cafile, join(dir, 'npm_ca'));
    chmodSync(join(dir, 'npm_ca'), 0o600);
    lines.push('cafile=/run/secrets/npm_ca');
    args.push('--secret', `id=npm_ca,src=${join(dir, 'npm_ca')}`);
  }
  writeFileSync(join(dir, 'npmrc'), `${lines.join('\n')}\n`, { mode: 0o600 });
  args.push('--secret', `id=npmrc,src=${join(dir, 'npmrc')}`);
  return { args, dir };
}
