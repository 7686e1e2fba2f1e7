// Describes the machine a benchmark ran on, for the report and results JSON.
import { readFileSync } from 'node:fs';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

/** The machine and runtime behind a set of figures. */
export interface MachineInfo {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly openssl: string;
  readonly lmdb: string;
  readonly tmpdir: string;
}

const ROOT = join(import.meta.dirname, '..');

function packageVersion(name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return json.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Reads the machine description now. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    lmdb: packageVersion('lmdb'),
    tmpdir: tmpdir(),
  };
}
