// Ingest and sealing settings (README.md §Configuration, docs/PERFORMANCE.md): when batches are sealed (threshold,
// timeout, immediate mode, preset), how big they and the backlog may grow, the Merkle hasher and the memory profile.
import { MERKLE_HASHERS, type MerkleHasherKind } from '../../batch/pair-hasher.ts';
import * as d from '../defaults.ts';
import { presetNamed } from '../presets.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

/** Largest accepted SPARK_MAX_BATCH_SIZE, and so largest PQC_AGGREGATION_THRESHOLD. */
const MAX_BATCH_SIZE_LIMIT = 10_000_000;

/** SPARK_MEMORY_PROFILE values: throughput first, or memory first. */
export const MEMORY_PROFILES = ['fast', 'lean'] as const;
/** A memory profile. */
export type MemoryProfile = (typeof MEMORY_PROFILES)[number];

function isMemoryProfile(value: string): value is MemoryProfile {
  return (MEMORY_PROFILES as readonly string[]).includes(value);
}

const NAMES = [
  'PQC_AGGREGATION_THRESHOLD',
  'PQC_AGGREGATION_TIMEOUT',
  'PQC_IMMEDIATE_MODE',
  'PQC_IMMEDIATE_FEE_MULTIPLIER',
  'SPARK_PENDING_CAPACITY',
  'SPARK_MAX_BATCH_SIZE',
  'SPARK_MEMORY_PROFILE',
  'SPARK_MERKLE_HASHER',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['PQC_AGGREGATION_THRESHOLD'],
    variable: '`PQC_AGGREGATION_THRESHOLD`',
    default: '`1000`',
    meaning: 'seal a batch when this many leaves are pending',
  },
  {
    settings: ['PQC_AGGREGATION_TIMEOUT'],
    variable: '`PQC_AGGREGATION_TIMEOUT`',
    default: '`3600`',
    meaning: 'seal everything pending once the oldest leaf is this many seconds old',
  },
  {
    settings: ['PQC_IMMEDIATE_MODE'],
    variable: '`PQC_IMMEDIATE_MODE`',
    default: '`false`',
    meaning: 'allow `immediate` submissions (sealed at once); refused with FAILED_PRECONDITION when off',
  },
  {
    settings: ['PQC_IMMEDIATE_FEE_MULTIPLIER'],
    variable: '`PQC_IMMEDIATE_FEE_MULTIPLIER`',
    default: '`3`',
    meaning: 'fee multiplier quoted for immediate requests (used once anchoring lands)',
  },
  {
    settings: ['SPARK_PENDING_CAPACITY'],
    variable: '`SPARK_PENDING_CAPACITY`',
    default: '`1000000`',
    meaning: 'most pending leaves; beyond it submissions get RESOURCE_EXHAUSTED',
  },
  {
    settings: ['SPARK_MAX_BATCH_SIZE'],
    variable: '`SPARK_MAX_BATCH_SIZE`',
    default: '`100000`',
    meaning: 'most leaves in one batch; a larger backlog is sealed as several batches',
  },
  {
    settings: ['SPARK_MEMORY_PROFILE'],
    variable: '`SPARK_MEMORY_PROFILE`',
    default: '`fast`',
    meaning:
      "`lean` trades ingest speed for memory: malloc with one arena (`spark serve` restarts itself with `GLIBC_TUNABLES`, same PID), V8's heap grows by 30 % instead of doubling, LMDB's file is mapped in chunks, half the stream items in flight — under the 60 s overload ≤ 390 MiB RSS against ~920, 15–30 % less ingest, Prove p50 6.3 → 9.2 ms (docs/PERFORMANCE.md §Memory profiles)",
  },
  {
    settings: ['SPARK_MERKLE_HASHER'],
    variable: '`SPARK_MERKLE_HASHER`',
    default: '`wasm`',
    meaning:
      '`wasm`: Merkle levels built by the WebAssembly SIMD node hasher (four nodes per pass; a 10^6-leaf tree in 0.25–0.36 s); `node`: one node:crypto SHA-256 call per node (1.8–2.6 s), for a runtime without WebAssembly SIMD (docs/PERFORMANCE.md)',
  },
];

/** The sealing part of the Config. */
export interface SealingPart {
  readonly aggregationThreshold: number;
  readonly aggregationTimeoutSeconds: number;
  readonly immediateMode: boolean;
  readonly immediateFeeMultiplier: number;
  readonly pendingCapacity: number;
  readonly maxBatchSize: number;
  /**
   * SPARK_MEMORY_PROFILE: `fast` (default) lets V8 double its heap and maps the LMDB file whole; `lean` tunes
   * malloc, grows the heap by 30 % at a time, maps the file in chunks and halves the stream items in flight, for
   * under 400 MiB RSS under overload at 15–30 % less ingest and slower Prove (src/config/memory-profile.ts,
   * docs/PERFORMANCE.md §Memory profiles).
   */
  readonly memoryProfile: MemoryProfile;
  /** SPARK_MERKLE_HASHER: `wasm` (the WebAssembly SIMD node hasher) or `node` (one node:crypto call per node). */
  readonly merkleHasher: MerkleHasherKind;
}

/** The ingest and sealing settings; a preset (SPARK_PRESET, checked with the general settings) sets their defaults. */
export const SEALING_SETTINGS: SettingsTable<
  typeof NAMES,
  SealingPart,
  object,
  (typeof NAMES)[number] | 'SPARK_PRESET'
> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int, num, bool }) {
    const preset = raw.SPARK_PRESET === undefined ? undefined : presetNamed(raw.SPARK_PRESET);
    const memoryProfile = raw.SPARK_MEMORY_PROFILE ?? 'fast';
    if (!isMemoryProfile(memoryProfile)) {
      issues.push({
        setting: 'SPARK_MEMORY_PROFILE',
        problem: `"${memoryProfile}" is not one of ${MEMORY_PROFILES.join(', ')}`,
      });
    }
    const merkleHasher = raw.SPARK_MERKLE_HASHER ?? 'wasm';
    const hasherKind = MERKLE_HASHERS.find((k) => k === merkleHasher);
    if (hasherKind === undefined) {
      issues.push({
        setting: 'SPARK_MERKLE_HASHER',
        problem: `"${merkleHasher}" is not one of ${MERKLE_HASHERS.join(', ')}`,
      });
    }
    const part: SealingPart = {
      aggregationThreshold: int(
        'PQC_AGGREGATION_THRESHOLD',
        preset?.aggregationThreshold ?? d.DEFAULT_AGGREGATION_THRESHOLD,
        1,
        // The same bound as SPARK_MAX_BATCH_SIZE; the threshold must not exceed the configured batch size (below).
        MAX_BATCH_SIZE_LIMIT,
      ),
      aggregationTimeoutSeconds: int(
        'PQC_AGGREGATION_TIMEOUT',
        preset?.aggregationTimeoutSeconds ?? d.DEFAULT_AGGREGATION_TIMEOUT_SECONDS,
        1,
        366 * 86_400,
      ),
      immediateMode: bool('PQC_IMMEDIATE_MODE', preset?.immediateMode ?? d.DEFAULT_IMMEDIATE_MODE),
      immediateFeeMultiplier: num(
        'PQC_IMMEDIATE_FEE_MULTIPLIER',
        d.DEFAULT_IMMEDIATE_FEE_MULTIPLIER,
        1,
        1000,
      ),
      pendingCapacity: int('SPARK_PENDING_CAPACITY', d.DEFAULT_PENDING_CAPACITY, 1, 100_000_000),
      maxBatchSize: int('SPARK_MAX_BATCH_SIZE', d.DEFAULT_MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE_LIMIT),
      memoryProfile: isMemoryProfile(memoryProfile) ? memoryProfile : 'fast',
      merkleHasher: hasherKind ?? 'wasm',
    };
    if (part.aggregationThreshold > part.maxBatchSize) {
      issues.push({
        setting: 'PQC_AGGREGATION_THRESHOLD',
        problem: `${part.aggregationThreshold} exceeds SPARK_MAX_BATCH_SIZE ${part.maxBatchSize}`,
      });
    }
    return part;
  },
};
