// CPU time of this process and of a child (Linux /proc), to tell a CPU-bound figure from an I/O-bound one.
import { readFileSync } from 'node:fs';

/** CPU used over a measured span, as a share of one core (1 = one core busy the whole time). */
export interface CpuShare {
  readonly server: number | undefined;
  readonly client: number;
}

/** Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by process `pid`, or undefined where /proc is unavailable. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Runs `fn` and reports the CPU share of the child `pid` and of this process over its wall time. */
export async function withCpuShare<T>(pid: number | undefined, fn: () => Promise<T>): Promise<[T, CpuShare]> {
  const server0 = pid === undefined ? undefined : processCpuSeconds(pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const server1 = pid === undefined ? undefined : processCpuSeconds(pid);
  const client = process.cpuUsage(client0);
  return [
    result,
    {
      server: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / wallSeconds,
      client: (client.user + client.system) / 1e6 / wallSeconds,
    },
  ];
}
