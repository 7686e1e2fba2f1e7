// A private podman for the container test: its own configuration, storage and state under one work directory,
// every command bounded in time, output kept (host names redacted) for failure messages, and a cleanup that
// removes what it started by id, unmounts everything under the work directory, then deletes it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Result of one command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Host names that must not appear in anything the test prints (registry, apt mirror), added at run time. */
const secretHosts = new Set<string>();

/** Keeps `host` out of every message this module builds. */
export function hideHost(host: string): void {
  if (host.length > 0) secretHosts.add(host);
}

/** `text` with URLs' hosts and every known host name replaced by <host>. */
export function redact(text: string): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/'"@]*@)?[^\s/'"]+/gi, '$1<host>');
  for (const host of secretHosts) out = out.split(host).join('<host>');
  return out;
}

/** The last `lines` lines of `text`, redacted. */
export function tail(text: string, lines = 40): string {
  return redact(text.trimEnd().split('\n').slice(-lines).join('\n'));
}

/** Runs `cmd` with a hard time limit (SIGKILL), collecting its output. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string },
): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (err) => {
      stderr += `\n[${err.message}]`;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** Why this machine cannot run the container test, or undefined when it can. */
export function missingContainerTools(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root (podman with its own storage, debootstrap)';
  const missing = ['podman', 'runc', 'debootstrap', 'tar', 'umount'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  return missing.length === 0 ? undefined : `missing ${missing.join(', ')} (apt: podman runc debootstrap)`;
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  const decodeOctal = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(decodeOctal)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Deletes `dir` safely: first unmounts everything below it (overlay layers, a debootstrap's /proc or /sys, …),
 * refusing to delete while anything is still mounted, then removes it without crossing file systems.
 */
export async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (let round = 0; round < 3; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) break;
    for (const m of mounts) {
      const r = await runCommand('umount', [m], { timeoutMs: 30_000 });
      if (r.code !== 0) await runCommand('umount', ['-l', m], { timeoutMs: 30_000 });
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`not deleting ${dir}: still mounted: ${left.join(', ')}`);
  const r = await runCommand('rm', ['-rf', '--one-file-system', dir], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`rm -rf ${dir} failed: ${tail(r.stderr, 5)}`);
}

/** A podman whose configuration, storage, run state and temporary files all live under `workDir`. */
export class Podman {
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly containers = new Set<string>();

  constructor(workDir: string) {
    this.workDir = workDir;
    const dir = (name: string) => join(workDir, name);
    // runc: crun 1.8 rejects this host's hybrid cgroup layout. Explicit ulimits: podman's default nofile of
    // 1048576 cannot be set without CAP_SYS_RESOURCE here. No systemd: cgroupfs and file events.
    writeFileSync(
      dir('containers.conf'),
      `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${dir('events.log')}"
tmp_dir = "${dir('libpod-tmp')}"
static_dir = "${dir('storage/libpod')}"
volume_path = "${dir('storage/volumes')}"
image_copy_tmp_dir = "${dir('tmp')}"
`,
    );
    writeFileSync(
      dir('storage.conf'),
      `[storage]
driver = "overlay"
graphroot = "${dir('storage')}"
runroot = "${dir('run')}"
`,
    );
    // Every image is local (localhost/…): no registry is ever searched or pulled from.
    writeFileSync(
      dir('registries.conf'),
      'unqualified-search-registries = []\nshort-name-mode = "enforcing"\n',
    );
    this.env = {
      ...process.env,
      CONTAINERS_CONF: dir('containers.conf'),
      CONTAINERS_STORAGE_CONF: dir('storage.conf'),
      CONTAINERS_REGISTRIES_CONF: dir('registries.conf'),
      TMPDIR: dir('tmp'),
    };
    mkdirSync(dir('tmp'), { recursive: true });
  }

  /** Runs podman; never throws. */
  run(args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
    return runCommand('podman', args, { env: this.env, timeoutMs });
  }

  /** Runs podman and throws (with the redacted end of its output) unless it exits 0. */
  async check(args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0) {
      throw new Error(
        `podman ${args[0]} exited ${r.code}:\n${tail(r.stdout, 30)}\n${tail(r.stderr, 30)}`.trimEnd(),
      );
    }
    return r;
  }

  /** Starts a container (`podman run -d …`) and remembers its id for cleanup. */
  async startContainer(args: readonly string[]): Promise<string> {
    const r = await this.check(['run', '-d', '--pull=never', ...args]);
    const id = r.stdout.trim().split('\n').pop() ?? '';
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`podman run printed no container id: ${tail(r.stdout)}`);
    this.containers.add(id);
    return id;
  }

  /** Removes one container by id (SIGTERM, then SIGKILL after `graceSeconds`). */
  async removeContainer(id: string, graceSeconds = 2): Promise<void> {
    await this.run(['rm', '-f', '-t', String(graceSeconds), id], 60_000);
    this.containers.delete(id);
  }

  /** Removes every container this object started, then all images and volumes in its private storage. */
  async cleanup(): Promise<void> {
    for (const id of [...this.containers]) await this.removeContainer(id);
    await this.run(['volume', 'rm', '--all', '--force'], 60_000);
    await this.run(['rmi', '--all', '--force'], 120_000);
  }
}
