// The measured results of one run, and their rendering as table rows beside their ceilings.
import type { CpuShare } from './cpu.ts';
import type { IngestRun } from './ingest.ts';
import type { PutRate } from './lmdb-ceiling.ts';
import type { MachineInfo } from './machine.ts';
import type { ProveRun, VerifyRun } from './prove-verify.ts';
import { ms, type Row, rate, times } from './report.ts';
import type { SealFigures } from './seal.ts';

/** The machine's own ceilings, measured in the same run. */
export interface Ceilings {
  readonly lmdbWriters: number;
  readonly lmdbConcurrentPerSecond: number;
  readonly lmdbConcurrentRuns: readonly PutRate[];
  readonly lmdbSequentialPerSecond: number;
  readonly lmdbSequentialRuns: readonly PutRate[];
  readonly sha256PerSecond: number;
  readonly mlDsaSignPerSecond: number;
  readonly mlDsaVerifyPerSecond: number;
  /** Verification including parsing the raw public key, as the bundle verifier does per signature. */
  readonly mlDsaVerifyWithImportPerSecond: number;
  readonly grpcInFlight: number;
  readonly grpcNoopPerSecond: number;
  readonly grpcNoopCpu: CpuShare;
  readonly grpcNoopLatency: { readonly p50: number; readonly p99: number; readonly calls: number };
}

/** Everything one run measured. */
export interface Results {
  readonly machine: MachineInfo;
  readonly command: string;
  readonly quick: boolean;
  readonly plan: unknown;
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly totalSeconds: number;
  readonly ceilings: Ceilings;
  readonly submitInFlight: number;
  readonly submit: IngestRun;
  readonly submitCpu: CpuShare;
  readonly stream: IngestRun;
  readonly streamCpu: CpuShare;
  readonly sealNowRpc: { readonly leaves: string; readonly ms: number };
  readonly seals: readonly SealFigures[];
  readonly prove: Omit<ProveRun, 'bundles'> & { readonly bundlesKept: number };
  /** Prove through a client that accepts no response compression. */
  readonly proveUncompressed: Omit<ProveRun, 'bundles'>;
  /** ML-DSA signatures checked per bundle (header signature and key self-signature). */
  readonly signaturesPerBundle: number;
  readonly verifyInProcessPerSecond: number;
  readonly verifyRpcInFlight: number;
  readonly verifyRpc: VerifyRun;
  readonly verifyRpcCpu: CpuShare;
  readonly warnings: readonly string[];
}

const n = (x: number) => x.toLocaleString('en-US');

const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${Math.round(share * 100)} %`);

/** "server 97 % / client 80 % of a core". */
export function cpuText(cpu: CpuShare): string {
  return `server ${pct(cpu.server)} / client ${pct(cpu.client)} of a core`;
}

/** The main table: each figure, its ceiling from this run, and the ratio between them. */
export function figureRows(r: Results): Row[] {
  const c = r.ceilings;
  const signMs = 1000 / c.mlDsaSignPerSecond;
  const bundleCeiling = c.mlDsaVerifyWithImportPerSecond / r.signaturesPerBundle;
  return [
    {
      figure: `Submit, unary, ${r.submitInFlight} in flight (${n(r.submit.stored)} leaves)`,
      value: rate(r.submit.perSecond),
      ceiling: `LMDB durable put, ${c.lmdbWriters} writers: ${rate(c.lmdbConcurrentPerSecond)}`,
      ratio: times(r.submit.perSecond / c.lmdbConcurrentPerSecond),
    },
    {
      figure: '',
      value: '',
      ceiling: `gRPC no-op (Health.Check), ${c.grpcInFlight} in flight: ${rate(c.grpcNoopPerSecond)}`,
      ratio: times(r.submit.perSecond / c.grpcNoopPerSecond),
    },
    {
      figure: `SubmitStream, one stream (${n(r.stream.stored)} items)`,
      value: rate(r.stream.perSecond),
      ceiling: `LMDB durable put, ${c.lmdbWriters} writers: ${rate(c.lmdbConcurrentPerSecond)}`,
      ratio: times(r.stream.perSecond / c.lmdbConcurrentPerSecond),
    },
    ...r.seals.flatMap((s): Row[] => {
      const hashMs = ((s.leaves - 1) * 1000) / c.sha256PerSecond;
      return [
        {
          figure: `seal of ${n(s.leaves)} leaves (median of ${s.repeats})`,
          value: ms(s.sealMs),
          ceiling: `tree build alone ${ms(s.treeOnlyMs)} + one ML-DSA sign ${ms(signMs)}`,
          ratio: times(s.sealMs / (s.treeOnlyMs + signMs)),
        },
        {
          figure: `  tree build alone, ${n(s.leaves)} leaves`,
          value: ms(s.treeOnlyMs),
          ceiling: `${n(s.leaves - 1)} SHA-256 calls: ${ms(hashMs)}`,
          ratio: times(s.treeOnlyMs / hashMs),
        },
      ];
    }),
    {
      figure: `Prove p50, sequential (${n(r.prove.calls)} calls)`,
      value: ms(r.prove.p50Ms),
      ceiling: `gRPC no-op round trip p50: ${ms(c.grpcNoopLatency.p50)}`,
      ratio: times(r.prove.p50Ms / c.grpcNoopLatency.p50),
    },
    {
      figure: 'Prove p99, sequential',
      value: ms(r.prove.p99Ms),
      ceiling: `gRPC no-op round trip p99: ${ms(c.grpcNoopLatency.p99)}`,
      ratio: times(r.prove.p99Ms / c.grpcNoopLatency.p99),
    },
    {
      figure: '  Prove p50 / p99, client without gzip',
      value: ms(r.proveUncompressed.p50Ms),
      ceiling: `p99 ${ms(r.proveUncompressed.p99Ms)}; gRPC no-op p50: ${ms(c.grpcNoopLatency.p50)}`,
      ratio: times(r.proveUncompressed.p50Ms / c.grpcNoopLatency.p50),
    },
    {
      figure: 'verifyBundle in-process, native (bundles)',
      value: rate(r.verifyInProcessPerSecond),
      ceiling: `ML-DSA-65 verify with key import ÷ ${r.signaturesPerBundle}: ${rate(bundleCeiling)}`,
      ratio: times(r.verifyInProcessPerSecond / bundleCeiling),
    },
    {
      figure: `Verify RPC, ${r.verifyRpcInFlight} in flight (${n(r.verifyRpc.calls)} calls)`,
      value: rate(r.verifyRpc.perSecond),
      ceiling: `verifyBundle in-process: ${rate(r.verifyInProcessPerSecond)}`,
      ratio: times(r.verifyRpc.perSecond / r.verifyInProcessPerSecond),
    },
  ];
}

/** The ceilings on their own. */
export function ceilingRows(r: Results): Row[] {
  const c = r.ceilings;
  const row = (figure: string, value: string, note = ''): Row => ({
    figure,
    value,
    ceiling: note,
    ratio: '',
  });
  return [
    row(
      `LMDB durable put, ${c.lmdbWriters} concurrent writers`,
      rate(c.lmdbConcurrentPerSecond),
      'group commit',
    ),
    row('LMDB durable put, one per transaction', rate(c.lmdbSequentialPerSecond), 'one fsync each'),
    row('SHA-256, one call on 64 bytes', rate(c.sha256PerSecond)),
    row('ML-DSA-65 sign (node:crypto)', rate(c.mlDsaSignPerSecond)),
    row('ML-DSA-65 verify (node:crypto)', rate(c.mlDsaVerifyPerSecond)),
    row('ML-DSA-65 verify incl. raw public key import', rate(c.mlDsaVerifyWithImportPerSecond)),
    row(
      `gRPC no-op (Health.Check), ${c.grpcInFlight} in flight`,
      rate(c.grpcNoopPerSecond),
      cpuText(c.grpcNoopCpu),
    ),
    row('gRPC no-op round trip, sequential p50', ms(c.grpcNoopLatency.p50)),
  ];
}

/** Where each seal's time goes. */
export function sealRows(r: Results): Row[] {
  return r.seals.map((s) => ({
    figure: `${n(s.leaves)} leaves`,
    value: ms(s.sealMs),
    ceiling: `read pending ${ms(s.readPendingMs)} · tree+header ${ms(s.otherMs)} · sign+self-check ${ms(s.signMs)} · commit ${ms(s.commitMs)}`,
    ratio: `event loop blocked up to ${ms(s.longestBlockMs)}`,
  }));
}

/** CPU shares while the gRPC figures ran. */
export function cpuRows(r: Results): Row[] {
  return [
    { figure: 'Submit', value: '', ceiling: cpuText(r.submitCpu), ratio: '' },
    { figure: 'SubmitStream', value: '', ceiling: cpuText(r.streamCpu), ratio: '' },
    { figure: 'Verify RPC', value: '', ceiling: cpuText(r.verifyRpcCpu), ratio: '' },
  ];
}
