// The offline verifier (docs/proof-format.md §8): an ordered, named report; never throws (pure).

import { HashAlgorithm, type ProofBundle } from '../../gen/spark/v1/bundle_pb.js';
import type { Ed25519Verifier } from '../anchor/ed25519-verifier.ts';
import { createNobleEd25519Verifier } from '../anchor/noble-ed25519-verifier.ts';
import { algorithmById } from '../crypto/algorithms.ts';
import { createCachingVerifier } from '../crypto/caching-verifier.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../crypto/contexts.ts';
import { portableSha256, type Sha256 } from '../crypto/sha256.ts';
import type { SignatureVerifier } from '../crypto/signature-verifier.ts';
import { bytesEqual, toHex } from '../encoding/bytes.ts';
import { hashLeaf } from '../merkle/hash.ts';
import { verifyInclusion } from '../merkle/inclusion.ts';
import { BundleError } from './bundle-error.ts';
import { algorithmPolicy, withPolicy } from './checks/algorithm-policy.ts';
import { checkAnchor } from './checks/anchor.ts';
import { checkCheckpoint } from './checks/checkpoint.ts';
import { checkIssuer, type IssuerPin, isPinned } from './checks/issuer.ts';
import { algorithmHex, type CheckOutcome, checkKeys, checkKeyValidity } from './checks/key-records.ts';
import {
  checkWitnesses,
  noteSignatureCheck,
  noteSignerKeyIds,
  type WitnessPolicy,
} from './checks/witnesses.ts';
import { decodeBundle, encodeBundle } from './codec.ts';
import { decodeHeader, type HeaderFields } from './header.ts';
import { decodeLeafEntry } from './leaf.ts';
import { describeSource } from './source-reference.ts';

/** Names of the checks, in the order they run and are reported. */
export const CHECK_NAMES = [
  'decode',
  'canonical',
  'version',
  'leaf',
  'subject',
  'header',
  'inclusion',
  'chain',
  'key',
  'key-validity',
  'signature',
  'guarantee',
  'anchor',
  'checkpoint',
  'issuer',
  'witnesses',
] as const;

/** One check's name. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** One line of the report. */
export interface CheckResult {
  readonly name: CheckName;
  readonly ok: boolean;
  readonly detail: string;
}

/** The verdict: valid only when every check is ok. */
export interface VerifyReport {
  readonly valid: boolean;
  readonly checks: CheckResult[];
  /** Whether the caller pinned an issuer (docs/trust.md); a VALID without a pin only says someone signed it. */
  readonly issuerPinned: boolean;
}

/** The verdict line: "VALID", "VALID (issuer not pinned)" or "INVALID: failed …" naming each failed check once. */
export function verdictOf(report: {
  readonly checks: ReadonlyArray<{ readonly name: string; readonly ok: boolean }>;
  readonly issuerPinned: boolean;
}): string {
  const failed = [...new Set(report.checks.filter((c) => !c.ok).map((c) => c.name))];
  if (failed.length > 0) return `INVALID: failed ${failed.join(', ')}`;
  return report.issuerPinned ? 'VALID' : 'VALID (issuer not pinned)';
}

/** What the verifier needs besides the bundle. */
export interface VerifyOptions {
  /** Signature verification (native on servers, noble in browsers). */
  readonly verifier: SignatureVerifier;
  /** The original data: its SHA-256 must be the leaf digest. */
  readonly data?: Uint8Array;
  /** The original digest: it must be the leaf digest. */
  readonly digest?: Uint8Array;
  /** SHA-256 implementation; portable by default. */
  readonly sha256?: Sha256;
  /** Ed25519 verification of Symbol anchor transactions; portable (@noble/curves) by default. */
  readonly ed25519?: Ed25519Verifier;
  /**
   * Algorithm ids this verifier refuses to rely on (policy, e.g. an algorithm found broken): a bundle whose
   * header, signatures or key records (endorsers included) use one fails the "key" check, naming it; no
   * signature of it counts anywhere. None by default.
   */
  readonly disabledAlgorithms?: readonly number[];
  /** The issuer expected: a trust root, a log id, a key id (docs/trust.md). Unpinned, the "issuer" check says so. */
  readonly pin?: IssuerPin;
  /**
   * Witnesses whose cosignatures count and the quorum (--witness-policy); without it, a pinned trust root's
   * witnesses. With neither, the "witnesses" check reports what is present and does not fail (docs/witnesses.md).
   */
  readonly witnessPolicy?: WitnessPolicy;
}

/** The witness policy of `options`: the explicit one, else the pinned root's witnesses when it names any. */
export function witnessPolicyOf(
  options: Pick<VerifyOptions, 'witnessPolicy' | 'pin'>,
): WitnessPolicy | undefined {
  if (options.witnessPolicy !== undefined) return options.witnessPolicy;
  const root = options.pin?.root;
  if (root === undefined || root.witnesses.length === 0) return undefined;
  return { quorum: root.witnessQuorum, witnesses: root.witnesses.map((w) => w.cosigner) };
}

/** Bundle format versions this verifier understands (docs/proof-format.md §1): 1 (whole anchor transaction), 2 (compact anchors). */
export const SUPPORTED_BUNDLE_VERSIONS: readonly number[] = [1, 2];

const MAX_DATE_MS = 8_640_000_000_000_000n;

function iso(ms: bigint): string {
  return ms <= MAX_DATE_MS ? new Date(Number(ms)).toISOString() : `${ms} ms (beyond the calendar)`;
}

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const fail = (detail: string): CheckOutcome => ({ ok: false, detail });

/** Values established by earlier checks and used by later ones. */
interface State {
  bundle?: ProofBundle;
  header?: HeaderFields;
}

function checkCanonical(bytes: Uint8Array, b: ProofBundle): CheckOutcome {
  const canonical = encodeBundle(b);
  if (bytesEqual(canonical, bytes)) return pass('the bytes are the canonical encoding');
  const unknown = b.$unknown !== undefined && b.$unknown.length > 0;
  return fail(
    `re-encoding gives ${canonical.length} bytes that differ from the ${bytes.length} given` +
      (unknown ? ' (unknown fields present)' : ' (unknown fields or a non-canonical encoding)'),
  );
}

/** Version 1, or version 2 with at least one (compact) anchor: a bundle without anchors is version 1. */
function checkVersion(b: ProofBundle): CheckOutcome {
  if (!SUPPORTED_BUNDLE_VERSIONS.includes(b.version)) {
    return fail(`bundle version ${b.version} is not supported (expected 1 or 2)`);
  }
  if (b.version === 1) return pass('bundle version 1');
  if (b.anchor === undefined && b.checkpoint?.anchor === undefined) {
    return fail('bundle version 2 without an anchor: a bundle without anchors is version 1');
  }
  return pass('bundle version 2 (compact anchors with block headers)');
}

function checkLeaf(b: ProofBundle, sha256: Sha256): CheckOutcome {
  const leaf = b.leaf;
  if (leaf === undefined) return fail('leaf missing');
  const entry = decodeLeafEntry(leaf.entry);
  if (typeof entry === 'string') return fail(entry);
  if (leaf.hashAlgorithm !== HashAlgorithm.SHA2_256) {
    return fail(`leaf hash_algorithm ${leaf.hashAlgorithm} is not SHA2_256 (1)`);
  }
  if (leaf.hashAlgorithm !== entry.hashAlgorithm) return fail('leaf hash_algorithm differs from the entry');
  if (!bytesEqual(leaf.digest, entry.digest)) return fail('leaf digest differs from the digest in the entry');
  if (!bytesEqual(leaf.leafHash, hashLeaf(leaf.entry, sha256))) {
    return fail('leaf_hash is not SHA-256(0x00 || entry)');
  }
  const source = entry.source === undefined ? '' : `; source: ${describeSource(entry.source)}`;
  return pass(`SHA-256 digest ${toHex(leaf.digest)}, leaf hash ${toHex(leaf.leafHash)}${source}`);
}

function checkSubject(b: ProofBundle, options: VerifyOptions, sha256: Sha256): CheckOutcome {
  const digest = b.leaf?.digest ?? new Uint8Array(0);
  if (options.data === undefined && options.digest === undefined) {
    return pass(`no data or digest given; the bundle proves its own digest ${toHex(digest)}`);
  }
  if (options.data !== undefined && !bytesEqual(sha256(options.data), digest)) {
    return fail(`SHA-256 of the given data is not the proven digest ${toHex(digest)}`);
  }
  if (options.digest !== undefined && !bytesEqual(options.digest, digest)) {
    return fail(`the given digest ${toHex(options.digest)} is not the proven digest ${toHex(digest)}`);
  }
  return pass(
    `${options.data !== undefined ? 'the given data hashes to' : 'the given digest is'} ${toHex(digest)}`,
  );
}

function checkHeader(b: ProofBundle, state: State): CheckOutcome {
  const h = decodeHeader(b.header);
  if (typeof h === 'string') return fail(h);
  const f = b.headerFields;
  if (f === undefined) return fail('header_fields missing');
  const differs: string[] = [];
  if (f.formatVersion !== h.formatVersion) differs.push('format_version');
  if (!bytesEqual(f.logId, h.logId)) differs.push('log_id');
  if (f.sequence !== h.sequence) differs.push('sequence');
  if (!bytesEqual(f.previousHeaderHash, h.previousHeaderHash)) differs.push('previous_header_hash');
  if (!bytesEqual(f.root, h.root)) differs.push('root');
  if (f.treeSize !== h.treeSize) differs.push('tree_size');
  if (f.timeMs !== h.timeMs) differs.push('time_ms');
  if (f.algorithmId !== h.algorithmId) differs.push('algorithm_id');
  if (!bytesEqual(f.keyId, h.keyId)) differs.push('key_id');
  if (f.guaranteeExpiryMs !== h.guaranteeExpiryMs) differs.push('guarantee_expiry_ms');
  if (differs.length > 0) return fail(`header_fields differ from the header bytes in ${differs.join(', ')}`);
  state.header = h;
  return pass(`v${h.formatVersion} header of log ${toHex(h.logId)}, sealed ${iso(h.timeMs)}`);
}

function checkInclusion(b: ProofBundle, h: HeaderFields, sha256: Sha256): CheckOutcome {
  const inc = b.inclusion;
  const leafHash = b.leaf?.leafHash ?? new Uint8Array(0);
  if (inc === undefined) return fail('inclusion missing');
  if (inc.treeSize !== h.treeSize) {
    return fail(`inclusion tree_size ${inc.treeSize} differs from the header tree size ${h.treeSize}`);
  }
  const result = verifyInclusion(inc.leafIndex, inc.treeSize, leafHash, inc.path, h.root, sha256);
  if (!result.ok) return fail(result.reason);
  return pass(`leaf ${inc.leafIndex} of ${inc.treeSize} is under root ${toHex(h.root)}`);
}

function checkChain(b: ProofBundle, h: HeaderFields, sha256: Sha256): CheckOutcome {
  const zero = h.previousHeaderHash.every((x) => x === 0);
  const where = `sequence ${h.sequence}, header hash ${toHex(sha256(b.header))}`;
  if (h.sequence === 0n && !zero)
    return fail(`${where}: the first batch must have an all-zero previous hash`);
  if (h.sequence !== 0n && zero)
    return fail(`${where}: only the first batch may have an all-zero previous hash`);
  return pass(
    zero ? `${where}, first batch of the log` : `${where}, previous ${toHex(h.previousHeaderHash)}`,
  );
}

function checkSignatures(b: ProofBundle, h: HeaderFields, verifier: SignatureVerifier): CheckOutcome {
  if (b.signatures.length === 0) return fail('no signatures');
  let byHeaderKey = false;
  for (const [i, s] of b.signatures.entries()) {
    for (const other of b.signatures.slice(i + 1)) {
      if (bytesEqual(s.keyId, other.keyId)) return fail(`two signatures by key ${toHex(s.keyId)}`);
    }
    const record = b.keys.find((k) => bytesEqual(k.keyId, s.keyId));
    if (record === undefined) return fail(`signature ${i}: no key record for key ${toHex(s.keyId)}`);
    if (record.algorithmId !== s.algorithmId) {
      return fail(
        `signature ${i}: algorithm ${algorithmHex(s.algorithmId)} differs from its key's ${algorithmHex(record.algorithmId)}`,
      );
    }
    if (!verifier.verify(s.algorithmId, record.publicKey, b.header, s.signature, HEADER_SIGNATURE_CONTEXT)) {
      return fail(`signature ${i} by key ${toHex(s.keyId)} does not verify over the header bytes`);
    }
    if (bytesEqual(s.keyId, h.keyId) && s.algorithmId === h.algorithmId) byHeaderKey = true;
  }
  if (!byHeaderKey) return fail(`no signature by the header's key ${toHex(h.keyId)}`);
  const name = algorithmById(h.algorithmId)?.name ?? algorithmHex(h.algorithmId);
  return pass(
    `${b.signatures.length} signature(s) verified with ${verifier.name}; ${name} by ${toHex(h.keyId)}`,
  );
}

function checkGuarantee(h: HeaderFields): CheckOutcome {
  const name = algorithmById(h.algorithmId)?.name ?? algorithmHex(h.algorithmId);
  if (h.timeMs >= h.guaranteeExpiryMs) {
    return fail(
      `sealed ${iso(h.timeMs)}, not before the ${name} guarantee expiry ${iso(h.guaranteeExpiryMs)}`,
    );
  }
  return pass(`sealed ${iso(h.timeMs)}, before the ${name} guarantee expiry ${iso(h.guaranteeExpiryMs)}`);
}

/** Runs one check, turning any exception into a failed line. */
function guarded(run: () => CheckOutcome): CheckOutcome {
  try {
    return run();
  } catch (e) {
    return fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Verifies bundle bytes offline. Never throws; `valid` is true only when every check passed. */
export function verifyBundle(bytes: Uint8Array, options: VerifyOptions): VerifyReport {
  return verifyWith(bytes, undefined, options);
}

/**
 * The checks, on `bytes` and, when the caller decoded them already, `decoded` (which must be
 * `decodeBundle(bytes)`: the canonical check compares its re-encoding with `bytes`).
 */
function verifyWith(
  bytes: Uint8Array,
  decoded: ProofBundle | undefined,
  options: VerifyOptions,
): VerifyReport {
  const sha256 = options.sha256 ?? portableSha256;
  const policy = algorithmPolicy(options.disabledAlgorithms);
  const verifier = withPolicy(options.verifier, policy);
  const state: State = {};
  const checks: CheckResult[] = [];
  // A failed check maps to the check that really failed: itself, or the prerequisite it was skipped for.
  const failed = new Map<CheckName, CheckName>();

  const run = (
    name: CheckName,
    needs: readonly CheckName[],
    body: (b: ProofBundle) => CheckOutcome,
  ): void => {
    const missing = needs.find((n) => failed.has(n));
    const cause = missing === undefined ? undefined : failed.get(missing);
    const b = state.bundle;
    let outcome: CheckOutcome;
    if (cause !== undefined) {
      outcome = fail(`skipped: ${cause} failed`);
      failed.set(name, cause);
    } else if (b === undefined) {
      outcome = fail('skipped: decode failed');
      failed.set(name, 'decode');
    } else {
      outcome = guarded(() => body(b));
      if (!outcome.ok) failed.set(name, name);
    }
    checks.push({ name, ok: outcome.ok, detail: outcome.detail });
  };
  const header = (): HeaderFields => {
    if (state.header === undefined) throw new Error('header not decoded');
    return state.header;
  };

  const decode = guarded(() => {
    try {
      state.bundle = decoded ?? decodeBundle(bytes);
    } catch (e) {
      if (e instanceof BundleError) return fail(e.message);
      throw e;
    }
    return pass(`${bytes.length} bytes decode as spark.v1.ProofBundle`);
  });
  if (!decode.ok) failed.set('decode', 'decode');
  checks.push({ name: 'decode', ok: decode.ok, detail: decode.detail });

  run('canonical', ['decode'], (b) => checkCanonical(bytes, b));
  run('version', ['decode'], checkVersion);
  run('leaf', ['decode'], (b) => checkLeaf(b, sha256));
  run('subject', ['leaf'], (b) => checkSubject(b, options, sha256));
  run('header', ['decode'], (b) => checkHeader(b, state));
  run('inclusion', ['leaf', 'header'], (b) => checkInclusion(b, header(), sha256));
  run('chain', ['header'], (b) => checkChain(b, header(), sha256));
  run('key', ['header'], (b) =>
    checkKeys(
      b.keys,
      header(),
      [
        ...[...b.signatures, ...(b.checkpoint?.signatures ?? [])].map((s) => s.keyId),
        ...noteSignerKeyIds(b, header().logId),
      ],
      verifier,
      sha256,
      policy,
    ),
  );
  run('key-validity', ['key'], (b) => checkKeyValidity(b.keys, header()));
  run('signature', ['key'], (b) => checkSignatures(b, header(), verifier));
  run('guarantee', ['header'], () => checkGuarantee(header()));
  const ed25519 = options.ed25519 ?? createNobleEd25519Verifier();
  run('anchor', ['decode'], (b) => checkAnchor(b, ed25519));
  run('checkpoint', ['header', 'key'], (b) => checkCheckpoint(b, header(), verifier, sha256, ed25519));

  run('issuer', ['header', 'key'], (b) => checkIssuer(b, header(), options.pin));
  run('witnesses', ['header', 'key'], (b) =>
    checkWitnesses(b, header(), noteSignatureCheck(verifier, ed25519), sha256, witnessPolicyOf(options)),
  );

  return { valid: checks.every((c) => c.ok), checks, issuerPinned: isPinned(options.pin) };
}

/** What may change from one bundle to the next under one bundle verifier. */
export type BundleSubject = Pick<VerifyOptions, 'data' | 'digest' | 'pin' | 'witnessPolicy'>;

/** verifyBundle with a memory of successful signature verifications, for verifying many bundles. */
export interface BundleVerifier {
  /** Same report as `verifyBundle(bytes, {...options, ...subject})`. Never throws. */
  verify(bytes: Uint8Array, subject?: BundleSubject): VerifyReport;
  /**
   * The same for bytes the caller has decoded already (a server rejecting undecodable input first):
   * `bundle` must be what `decodeBundle(bytes)` returned for these very bytes.
   */
  verifyDecoded(bytes: Uint8Array, bundle: ProofBundle, subject?: BundleSubject): VerifyReport;
  /** Signature verifications remembered now. */
  readonly cachedVerifications: () => number;
}

/**
 * A verifier for many bundles: `options.verifier` behind a bounded memory of successful verifications
 * (src/proof/crypto/caching-verifier.ts), so the key statement a log signed once is checked once, and the header
 * signature once per batch, not once per bundle. Reports are the ones `verifyBundle` gives; only exact inputs
 * that verified before are taken from memory. `cacheSize` is the number remembered (default 256).
 */
export function createBundleVerifier(
  options: VerifyOptions & { readonly cacheSize?: number },
): BundleVerifier {
  const { cacheSize, ...rest } = options;
  const verifier = createCachingVerifier(options.verifier, {
    sha256: options.sha256 ?? portableSha256,
    ...(cacheSize === undefined ? {} : { capacity: cacheSize }),
  });
  const base: VerifyOptions = { ...rest, verifier, ed25519: options.ed25519 ?? createNobleEd25519Verifier() };
  const withSubject = (subject: BundleSubject | undefined): VerifyOptions =>
    subject === undefined ? base : { ...base, ...subject };
  return {
    verify: (bytes, subject) => verifyWith(bytes, undefined, withSubject(subject)),
    verifyDecoded: (bytes, bundle, subject) => verifyWith(bytes, bundle, withSubject(subject)),
    cachedVerifications: verifier.cachedVerifications,
  };
}
