// The HTTP port's setting (README.md §Configuration): metrics, health probes, the IPFS gateway and the web verifier.

import type { ConfigIssue } from '../config-error.ts';
import { isLoopbackHost, parseListen } from './listen.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

const NAMES = ['SPARK_HTTP_LISTEN'] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SPARK_HTTP_LISTEN'],
    variable: '`SPARK_HTTP_LISTEN`',
    default: "the port after gRPC's, on loopback (`127.0.0.1:50052`; ephemeral when gRPC's is 0)",
    meaning:
      'plain HTTP/1.1 port for metrics, health probes, the IPFS gateway and the web verifier; `off` disables it; a non-loopback address needs `--insecure`',
  },
];

/** The HTTP part of the Config. */
export interface HttpPart {
  /** The HTTP port (metrics, health, IPFS gateway, web verifier); undefined when off. */
  readonly httpListen: { readonly host: string; readonly port: number } | undefined;
}

/** What the HTTP setting needs from the transport's: SPARK_LISTEN parsed, or what is wrong with it. */
export interface HttpNeeds {
  readonly listen: { readonly host: string; readonly port: number } | string;
}

/** The HTTP settings. */
export const HTTP_SETTINGS: SettingsTable<typeof NAMES, HttpPart, HttpNeeds> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, listen }) {
    return { httpListen: httpListenSetting(raw.SPARK_HTTP_LISTEN, listen, issues) };
  },
};

/**
 * SPARK_HTTP_LISTEN: "host:port", or "off". Unset, it is the next port after gRPC's (an ephemeral port when gRPC's
 * is 0, so two sidecars started with different gRPC ports never fight over it), on gRPC's host when that is a
 * loopback address and on 127.0.0.1 otherwise.
 */
function httpListenSetting(
  raw: string | undefined,
  grpc: { host: string; port: number } | string,
  issues: ConfigIssue[],
): { host: string; port: number } | undefined {
  if (raw === 'off') return undefined;
  if (raw === undefined) {
    if (typeof grpc === 'string') return undefined;
    if (grpc.port === 65535) {
      issues.push({
        setting: 'SPARK_HTTP_LISTEN',
        problem: 'gRPC uses port 65535: set the HTTP port explicitly or "off"',
      });
      return undefined;
    }
    // On loopback even when gRPC faces the network: exposing plaintext HTTP has to be asked for by name.
    const host = isLoopbackHost(grpc.host) ? grpc.host : '127.0.0.1';
    return { host, port: grpc.port === 0 ? 0 : grpc.port + 1 };
  }
  const parsed = parseListen(raw);
  if (typeof parsed === 'string') {
    issues.push({ setting: 'SPARK_HTTP_LISTEN', problem: `${parsed} (or "off")` });
    return undefined;
  }
  if (
    typeof grpc !== 'string' &&
    parsed.port !== 0 &&
    parsed.port === grpc.port &&
    parsed.host === grpc.host
  ) {
    issues.push({ setting: 'SPARK_HTTP_LISTEN', problem: `must differ from SPARK_LISTEN (${raw})` });
  }
  return parsed;
}
