// The trust root (docs/trust.md): a small JSON file that pins an operator — its log id, the signing keys it accepts,
// its Symbol network and accounts — so that a verifier can say VALID for *this* issuer. Parsed as hostile input and
// checked (every key's self-signature and endorsement) before it is believed. Pure: runs in browsers.

import { symbolNetworkOf } from '../anchor/block-evidence.ts';
import { symbolAddress } from '../anchor/symbol-address.ts';
import { encodeKeyStatement, PROTECTION_CODES } from '../bundle/key-statement.ts';
import { algorithmById } from '../crypto/algorithms.ts';
import { KEY_ENDORSEMENT_CONTEXT, KEY_STATEMENT_CONTEXT } from '../crypto/contexts.ts';
import type { Sha256 } from '../crypto/sha256.ts';
import type { SignatureVerifier } from '../crypto/signature-verifier.ts';
import { base32Encode } from '../encoding/base32.ts';
import { bytesEqual, fromHex, toHex } from '../encoding/bytes.ts';
import { type Cosigner, cosignerFromVerifierKey } from '../note/cosignature.ts';
import { parseVerifierKey } from '../note/verifier-key.ts';

/** The media type of a version-1 trust root; anything else is refused. */
export const TRUST_ROOT_MEDIA_TYPE = 'application/vnd.spark-processor.trust-root.v1+json';
/** Largest trust root file read, bytes. */
export const MAX_TRUST_ROOT_BYTES = 4 * 1024 * 1024;
/** Most keys and accounts a root may pin. */
export const MAX_TRUSTED_KEYS = 10_000;
export const MAX_TRUSTED_ACCOUNTS = 1_000;

/** A signing key the root accepts, as in the key history (docs/proof-format.md §6). */
export interface TrustedKey {
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly validFromMs: bigint;
  /** 0 while current when the root was made. */
  readonly validUntilMs: bigint;
  readonly previousKeyId: Uint8Array;
  /** By the previous key; empty when it could not sign (a key lost at restart): then pinned on its own. */
  readonly endorsement: Uint8Array;
  readonly protection: string;
  readonly selfSignature: Uint8Array;
}

/** A Symbol account the operator anchors with. */
export interface TrustedAccount {
  readonly publicKey: Uint8Array;
  /** Base32 form (wallets and explorers), derived from the key and network; checked against them. */
  readonly address: string;
}

/** The Symbol network and accounts anchors must come from. */
export interface TrustedSymbol {
  readonly networkIdentifier: number;
  readonly generationHashSeed: Uint8Array;
  readonly accounts: readonly TrustedAccount[];
}

/** A witness the root pins: its C2SP verifier key (name, key ID, algorithm, public key). */
export interface TrustedWitness {
  readonly vkey: string;
  readonly cosigner: Cosigner;
}

/** Most witnesses a root may pin. */
export const MAX_TRUSTED_WITNESSES = 64;

/** The witnesses of `vkeys`, or the reason one is not a witness key. */
export function witnessesFromVkeys(vkeys: readonly string[]): TrustedWitness[] | string {
  const out: TrustedWitness[] = [];
  for (const [i, vkey] of vkeys.entries()) {
    const parsed = parseVerifierKey(vkey);
    if (typeof parsed === 'string') return `witnesses[${i}].vkey: ${parsed}`;
    const cosigner = cosignerFromVerifierKey(parsed);
    if (typeof cosigner === 'string') return `witnesses[${i}].vkey: ${cosigner}`;
    if (out.some((w) => w.cosigner.name === cosigner.name))
      return `witnesses[${i}]: ${cosigner.name} is listed twice`;
    out.push({ vkey, cosigner });
  }
  return out;
}

/** A parsed, checked trust root. */
export interface TrustRoot {
  readonly logId: Uint8Array;
  /** Oldest first; each endorsement refers to an earlier key. */
  readonly keys: readonly TrustedKey[];
  readonly symbol: TrustedSymbol | undefined;
  /** Witnesses whose cosignatures the root requires (docs/witnesses.md); empty: none. */
  readonly witnesses: readonly TrustedWitness[];
  /** Cosignatures a bundle's checkpoint needs, 1..witnesses; 0 without witnesses. */
  readonly witnessQuorum: number;
  readonly createdAtMs: bigint;
}

/** A result or the reason (naming the field). */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

const bad = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** "mainnet", "testnet", or a description of another network (docs/anchoring.md §5.1). */
export function networkName(identifier: number, seed: Uint8Array): string {
  const n = symbolNetworkOf(seed, identifier);
  if (!n.ok) return `a mismatched network (${n.reason})`;
  return n.value.name === 'unknown' ? n.value.description : n.value.name;
}

/** The base32 address of `publicKey` on `network` (e.g. "T…" on testnet). */
export function addressOf(publicKey: Uint8Array, network: number): string {
  return base32Encode(symbolAddress(publicKey, network));
}

/** Checks the keys as a chain: each sound on its own, each endorsement by an earlier key. A reason when not. */
export function checkTrustedKeys(
  keys: readonly TrustedKey[],
  verifier: SignatureVerifier,
  sha256: Sha256,
): string | undefined {
  if (keys.length === 0) return 'keys: a trust root pins at least one key';
  if (keys.length > MAX_TRUSTED_KEYS) return `keys: more than ${MAX_TRUSTED_KEYS}`;
  const seen = new Map<string, TrustedKey>();
  for (const [i, k] of keys.entries()) {
    const who = `keys[${i}] (${toHex(k.keyId)})`;
    const spec = algorithmById(k.algorithmId);
    if (spec === undefined) return `${who}: unknown algorithm id ${k.algorithmId}`;
    if (k.publicKey.length !== spec.publicKeyLength) {
      return `${who}: public key is ${k.publicKey.length} bytes, ${spec.name} needs ${spec.publicKeyLength}`;
    }
    if (!bytesEqual(k.keyId, sha256(k.publicKey))) return `${who}: keyId is not SHA-256 of publicKey`;
    if (seen.has(toHex(k.keyId))) return `${who}: listed twice`;
    if (k.validUntilMs !== 0n && k.validUntilMs <= k.validFromMs) {
      return `${who}: validUntilMs must be 0 or after validFromMs`;
    }
    let statement: Uint8Array;
    try {
      statement = encodeKeyStatement({
        algorithmId: k.algorithmId,
        keyId: k.keyId,
        validFromMs: k.validFromMs,
        previousKeyId: k.previousKeyId,
        protection: k.protection,
      });
    } catch (e) {
      return `${who}: ${e instanceof Error ? e.message : 'key statement does not encode'}`;
    }
    if (!verifier.verify(k.algorithmId, k.publicKey, statement, k.selfSignature, KEY_STATEMENT_CONTEXT)) {
      return `${who}: selfSignature does not verify`;
    }
    if (k.endorsement.length > 0) {
      const endorser = seen.get(toHex(k.previousKeyId));
      if (endorser === undefined)
        return `${who}: endorsed by ${toHex(k.previousKeyId)}, not an earlier key of the root`;
      if (
        !verifier.verify(
          endorser.algorithmId,
          endorser.publicKey,
          statement,
          k.endorsement,
          KEY_ENDORSEMENT_CONTEXT,
        )
      ) {
        return `${who}: endorsement by ${toHex(endorser.keyId)} does not verify`;
      }
    }
    seen.set(toHex(k.keyId), k);
  }
  return undefined;
}

/** Checks the Symbol part: a known-shape network, accounts whose addresses are theirs. */
function checkSymbol(s: TrustedSymbol): string | undefined {
  const network = symbolNetworkOf(s.generationHashSeed, s.networkIdentifier);
  if (!network.ok) return `symbol.networkIdentifier: ${network.reason}`;
  if (s.accounts.length > MAX_TRUSTED_ACCOUNTS) return `symbol.accounts: more than ${MAX_TRUSTED_ACCOUNTS}`;
  for (const [i, a] of s.accounts.entries()) {
    const expected = addressOf(a.publicKey, s.networkIdentifier);
    if (a.address !== expected) return `symbol.accounts[${i}].address: ${a.address} is not ${expected}`;
  }
  return undefined;
}

/** Checks a whole root (keys, Symbol part); the root when sound, else the reason. */
export function checkTrustRoot(
  root: TrustRoot,
  verifier: SignatureVerifier,
  sha256: Sha256,
): Checked<TrustRoot> {
  if (root.logId.length !== 32) return bad('logId: must be 32 bytes');
  const keys = checkTrustedKeys(root.keys, verifier, sha256);
  if (keys !== undefined) return bad(keys);
  if (root.symbol !== undefined) {
    const symbol = checkSymbol(root.symbol);
    if (symbol !== undefined) return bad(symbol);
  }
  if (root.witnesses.length > MAX_TRUSTED_WITNESSES)
    return bad(`witnesses: more than ${MAX_TRUSTED_WITNESSES}`);
  const again = witnessesFromVkeys(root.witnesses.map((w) => w.vkey));
  if (typeof again === 'string') return bad(again);
  const n = root.witnesses.length;
  if (n === 0 ? root.witnessQuorum !== 0 : root.witnessQuorum < 1 || root.witnessQuorum > n) {
    return bad(
      `witnessQuorum: must be ${n === 0 ? '0 without witnesses' : `in 1..${n}`}, got ${root.witnessQuorum}`,
    );
  }
  return { ok: true, value: root };
}

// ---- JSON form ----

type Json = Record<string, unknown>;

class Shape extends Error {}

function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Shape(`${what}: must be an object`);
  return v as Json;
}
function hexField(o: Json, key: string, what: string, length?: number, optional = false): Uint8Array {
  const v = o[key];
  if (v === undefined && optional) return new Uint8Array(0);
  if (typeof v !== 'string') throw new Shape(`${what}.${key}: must be a hex string`);
  const b = fromHex(v);
  if (b === undefined || v !== v.toLowerCase()) throw new Shape(`${what}.${key}: must be lower-case hex`);
  if (length !== undefined && b.length !== length) throw new Shape(`${what}.${key}: must be ${length} bytes`);
  return b;
}
function u64Field(o: Json, key: string, what: string): bigint {
  const v = o[key];
  if (typeof v !== 'string' || !/^(0|[1-9]\d{0,19})$/.test(v) || BigInt(v) >= 1n << 64n) {
    throw new Shape(`${what}.${key}: must be a decimal string of an unsigned 64-bit integer`);
  }
  return BigInt(v);
}
function intField(o: Json, key: string, what: string, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new Shape(`${what}.${key}: must be an integer from 0 to ${max}`);
  }
  return v;
}
function onlyKeys(o: Json, allowed: readonly string[], what: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new Shape(`${what}: unknown field ${JSON.stringify(extra[0]).slice(0, 60)}`);
}

const KEY_FIELDS = [
  'keyId',
  'algorithm',
  'algorithmId',
  'publicKey',
  'validFromMs',
  'validUntilMs',
  'previousKeyId',
  'endorsement',
  'protection',
  'selfSignature',
] as const;

function keyFromJson(v: unknown, i: number): TrustedKey {
  const what = `keys[${i}]`;
  const o = obj(v, what);
  onlyKeys(o, KEY_FIELDS, what);
  const algorithmId = intField(o, 'algorithmId', what, 0xffff);
  const name = algorithmById(algorithmId)?.name;
  if (o['algorithm'] !== undefined && o['algorithm'] !== name) {
    throw new Shape(
      `${what}.algorithm: ${JSON.stringify(o['algorithm']).slice(0, 40)} is not the name of id ${algorithmId}`,
    );
  }
  const protection = o['protection'];
  if (typeof protection !== 'string' || !Object.hasOwn(PROTECTION_CODES, protection)) {
    throw new Shape(`${what}.protection: must be memory, file, hsm or remote`);
  }
  return {
    algorithmId,
    keyId: hexField(o, 'keyId', what, 32),
    publicKey: hexField(o, 'publicKey', what),
    validFromMs: u64Field(o, 'validFromMs', what),
    validUntilMs: u64Field(o, 'validUntilMs', what),
    previousKeyId: hexField(o, 'previousKeyId', what, undefined, true),
    endorsement: hexField(o, 'endorsement', what, undefined, true),
    protection,
    selfSignature: hexField(o, 'selfSignature', what),
  };
}

function symbolFromJson(v: unknown): TrustedSymbol {
  const o = obj(v, 'symbol');
  onlyKeys(o, ['network', 'networkIdentifier', 'generationHashSeed', 'accounts'], 'symbol');
  const accounts = o['accounts'];
  if (!Array.isArray(accounts)) throw new Shape('symbol.accounts: must be an array');
  return {
    networkIdentifier: intField(o, 'networkIdentifier', 'symbol', 0xff),
    generationHashSeed: hexField(o, 'generationHashSeed', 'symbol', 32),
    accounts: accounts.map((a, i) => {
      const what = `symbol.accounts[${i}]`;
      const ao = obj(a, what);
      onlyKeys(ao, ['publicKey', 'address'], what);
      const address = ao['address'];
      if (typeof address !== 'string') throw new Shape(`${what}.address: must be a string`);
      return { publicKey: hexField(ao, 'publicKey', what, 32), address };
    }),
  };
}

/**
 * Parses and checks a trust root file's text. Refuses (with the field named) anything that is not exactly a
 * version-1 root: unknown fields, malformed values, keys whose self-signatures or endorsements do not verify.
 */
export function parseTrustRoot(
  text: string,
  verifier: SignatureVerifier,
  sha256: Sha256,
): Checked<TrustRoot> {
  if (typeof text !== 'string') return bad('trust root: not text');
  if (text.length > MAX_TRUST_ROOT_BYTES) return bad(`trust root: larger than ${MAX_TRUST_ROOT_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad('trust root: not JSON');
  }
  try {
    const o = obj(json, 'trust root');
    onlyKeys(
      o,
      ['mediaType', 'logId', 'keys', 'symbol', 'witnesses', 'witnessQuorum', 'createdAt'],
      'trust root',
    );
    if (o['mediaType'] !== TRUST_ROOT_MEDIA_TYPE) {
      return bad(`mediaType: must be ${TRUST_ROOT_MEDIA_TYPE} (this verifier reads version 1)`);
    }
    const keys = o['keys'];
    if (!Array.isArray(keys)) throw new Shape('keys: must be an array');
    if (keys.length > MAX_TRUSTED_KEYS) throw new Shape(`keys: more than ${MAX_TRUSTED_KEYS}`);
    const witnessList = o['witnesses'] ?? [];
    if (!Array.isArray(witnessList)) throw new Shape('witnesses: must be an array');
    if (witnessList.length > MAX_TRUSTED_WITNESSES)
      throw new Shape(`witnesses: more than ${MAX_TRUSTED_WITNESSES}`);
    const vkeys = witnessList.map((w, i) => {
      const e = obj(w, `witnesses[${i}]`);
      onlyKeys(e, ['vkey'], `witnesses[${i}]`);
      if (typeof e['vkey'] !== 'string') throw new Shape(`witnesses[${i}].vkey: must be a string`);
      return e['vkey'];
    });
    const witnesses = witnessesFromVkeys(vkeys);
    if (typeof witnesses === 'string') throw new Shape(witnesses);
    const quorum = o['witnessQuorum'] ?? 0;
    if (typeof quorum !== 'number' || !Number.isSafeInteger(quorum))
      throw new Shape('witnessQuorum: must be an integer');
    const createdAt = o['createdAt'];
    const createdAtMs = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
    if (!Number.isFinite(createdAtMs)) throw new Shape('createdAt: must be an ISO 8601 date');
    const root: TrustRoot = {
      logId: hexField(o, 'logId', 'trust root', 32),
      keys: keys.map(keyFromJson),
      symbol: o['symbol'] === undefined ? undefined : symbolFromJson(o['symbol']),
      witnesses,
      witnessQuorum: quorum,
      createdAtMs: BigInt(createdAtMs),
    };
    return checkTrustRoot(root, verifier, sha256);
  } catch (e) {
    if (e instanceof Shape) return bad(e.message);
    return bad(`trust root: unreadable (${e instanceof Error ? e.name : 'error'})`);
  }
}

/** The root as its JSON file (stable field order, two-space indent, a final newline). */
export function encodeTrustRoot(root: TrustRoot): string {
  const json = {
    mediaType: TRUST_ROOT_MEDIA_TYPE,
    logId: toHex(root.logId),
    keys: root.keys.map((k) => ({
      keyId: toHex(k.keyId),
      algorithm: algorithmById(k.algorithmId)?.name ?? `0x${k.algorithmId.toString(16)}`,
      algorithmId: k.algorithmId,
      publicKey: toHex(k.publicKey),
      validFromMs: k.validFromMs.toString(),
      validUntilMs: k.validUntilMs.toString(),
      previousKeyId: toHex(k.previousKeyId),
      endorsement: toHex(k.endorsement),
      protection: k.protection,
      selfSignature: toHex(k.selfSignature),
    })),
    ...(root.symbol === undefined
      ? {}
      : {
          symbol: {
            network: networkName(root.symbol.networkIdentifier, root.symbol.generationHashSeed),
            networkIdentifier: root.symbol.networkIdentifier,
            generationHashSeed: toHex(root.symbol.generationHashSeed),
            accounts: root.symbol.accounts.map((a) => ({
              publicKey: toHex(a.publicKey),
              address: a.address,
            })),
          },
        }),
    witnesses: root.witnesses.map((w) => ({ vkey: w.vkey })),
    ...(root.witnesses.length === 0 ? {} : { witnessQuorum: root.witnessQuorum }),
    createdAt: new Date(Number(root.createdAtMs)).toISOString(),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Whether `newer` extends `older` (the same log; every key of `older`, in order, at the start of `newer`; every
 * account of `older` still there): undefined when it does, else what differs.
 */
export function rootExtends(newer: TrustRoot, older: TrustRoot): string | undefined {
  if (!bytesEqual(newer.logId, older.logId))
    return `another log: ${toHex(newer.logId)}, not ${toHex(older.logId)}`;
  for (const [i, k] of older.keys.entries()) {
    const n = newer.keys[i];
    if (n === undefined || !bytesEqual(n.keyId, k.keyId))
      return `key ${toHex(k.keyId)} is not at position ${i}`;
  }
  for (const a of older.symbol?.accounts ?? []) {
    if (!newer.symbol?.accounts.some((b) => bytesEqual(a.publicKey, b.publicKey))) {
      return `account ${a.address} is missing`;
    }
  }
  return undefined;
}
