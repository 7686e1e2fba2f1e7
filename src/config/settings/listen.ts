// Listen addresses (README.md §Configuration): "host:port" parsing and the loopback test that decides what may be
// served without TLS.
import { BlockList, isIP } from 'node:net';

/** Parses "host:port", "[v6]:port" or ":port". */
export function parseListen(value: string): { host: string; port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (m === null) return `"${value}" is not HOST:PORT`;
  const port = Number(m[3]);
  if (port < 0 || port > 65_535) return `port ${port} is outside 0–65535`;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}
