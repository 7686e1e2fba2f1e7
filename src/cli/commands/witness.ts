// `spark witness init | serve | evidence`: a witness that cosigns other logs' checkpoints (docs/witnesses.md).
import { join } from 'node:path';
import { createKeyProvider } from '../../../providers/create-provider.ts';
import type { KeyProvider } from '../../../providers/key-provider.ts';
import { isLoopbackHost, loadConfig, parseListen } from '../../config/config.ts';
import { providerSpecOf } from '../../config/provider-spec.ts';
import { nativeSha256 } from '../../crypto/native-sha256.ts';
import { createNativeVerifier } from '../../crypto/native-verifier.ts';
import { createLogger } from '../../log/logger.ts';
import { createNoteSignatureCheck } from '../../note/note-verifier.ts';
import { algorithmById, algorithmByName } from '../../proof/crypto/algorithms.ts';
import { logOrigin } from '../../proof/note/checkpoint-text.ts';
import {
  type CosignatureAlgorithm,
  type Cosigner,
  cosignerVerifierKey,
} from '../../proof/note/cosignature.ts';
import { checkKeyName } from '../../proof/note/signed-note.ts';
import { MAX_TRUST_ROOT_BYTES, parseTrustRoot } from '../../proof/trust/trust-root.ts';
import { loadServerTls } from '../../service/tls-material.ts';
import { createWitness, type WitnessedLog } from '../../witness/witness.ts';
import { startWitnessServer } from '../../witness/witness-http.ts';
import { createWitnessMetrics } from '../../witness/witness-metrics.ts';
import { openWitnessState, type WitnessState } from '../../witness/witness-state.ts';
import { parseArgs, stringFlag, stringsFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { readFileFor } from '../io.ts';
import { untilSignal } from '../signals.ts';

/**
 * Algorithms a witness key may use: ML-DSA-44 (C2SP's recommendation, the default), ML-DSA-65, and Ed25519 for
 * witness networks that only read C2SP's Ed25519 cosignatures (not post-quantum: docs/witnesses.md §6).
 */
export const WITNESS_ALGORITHMS = ['ML-DSA-44', 'ML-DSA-65', 'Ed25519'] as const;

/** The witness's key, whatever the algorithm: its public key and a signer of cosigned messages. */
interface WitnessKey {
  readonly algorithm: CosignatureAlgorithm;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The witness's state lives here inside its data directory. */
const STATE_DIR = 'witness-state';

/** Opens the witness key the provider settings name (SPARK_KEY_PROVIDER and its settings, as for `spark serve`). */
async function openWitnessKey(
  algorithm: string,
  ephemeral: boolean,
): Promise<{ provider: KeyProvider; key: WitnessKey }> {
  const config = loadConfig(process.env);
  if (config.keyProvider === 'memory' && !ephemeral) {
    throw new CliError(
      'USAGE',
      'a witness key must outlive the process: set SPARK_KEY_PROVIDER to docker-secret, pkcs11 or remote (the memory provider makes a new key at every start; for a throwaway witness pass --ephemeral-keys)',
      { field: 'SPARK_KEY_PROVIDER' },
    );
  }
  const spec = algorithmByName(algorithm);
  if (algorithm !== 'Ed25519' && spec === undefined) {
    throw new CliError('USAGE', `unknown algorithm ${algorithm}`, { field: 'algorithm' });
  }
  const provider = await createKeyProvider(providerSpecOf(config));
  try {
    if (algorithm === 'Ed25519') {
      if (provider.openEd25519 === undefined) {
        throw new CliError('USAGE', `the ${provider.kind} key provider cannot hold an Ed25519 witness key`, {
          field: 'algorithm',
        });
      }
      const signer = await provider.openEd25519('witness-cosigning', 0);
      return {
        provider,
        key: { algorithm: 'Ed25519', publicKey: signer.publicKey, sign: (m) => signer.sign(m) },
      };
    }
    const key = await provider.open('witness-cosigning', (spec as NonNullable<typeof spec>).id, 0);
    const name = algorithmById(key.algorithmId)?.name;
    if (name === undefined) {
      throw new CliError('IO', `the provider opened a key of unknown algorithm ${key.algorithmId}`);
    }
    return {
      provider,
      key: {
        algorithm: name as CosignatureAlgorithm,
        publicKey: key.publicKey,
        // C2SP cosigned_message under an empty FIPS 204 context (docs/witnesses.md §2).
        sign: (m) => key.sign(m, new Uint8Array(0)),
      },
    };
  } catch (err) {
    await provider.close();
    throw err;
  }
}

function selfOf(name: string, key: WitnessKey): Cosigner {
  return { name, algorithm: key.algorithm, publicKey: key.publicKey };
}

function dataDirOf(argsDir: string | undefined): string {
  if (argsDir === undefined) throw new CliError('USAGE', '--data-dir D is required', { field: 'data-dir' });
  return argsDir;
}

async function withState<T>(dir: string, fn: (state: WitnessState) => Promise<T>): Promise<T> {
  const state = openWitnessState(join(dir, STATE_DIR));
  try {
    return await fn(state);
  } finally {
    await state.close();
  }
}

/** `spark witness init --data-dir D --name NAME [--algorithm ML-DSA-44|ML-DSA-65]`: prints the verifier key. */
async function init(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    'data-dir': 'string',
    name: 'string',
    algorithm: 'string',
    'ephemeral-keys': 'boolean',
  });
  const dir = dataDirOf(stringFlag(args, 'data-dir'));
  const name = stringFlag(args, 'name');
  if (name === undefined)
    throw new CliError('USAGE', '--name NAME is required (e.g. witness.example.com/w1)', { field: 'name' });
  const bad = checkKeyName(name);
  if (bad !== undefined) throw new CliError('USAGE', `--name: ${bad}`, { field: 'name' });
  const algorithm = stringFlag(args, 'algorithm') ?? 'ML-DSA-44';
  if (!(WITNESS_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new CliError('USAGE', `--algorithm must be one of ${WITNESS_ALGORITHMS.join(', ')}`, {
      field: 'algorithm',
    });
  }
  return withState(dir, async (state) => {
    const had = state.getMeta('name');
    if (had !== undefined && (had !== name || state.getMeta('algorithm') !== algorithm)) {
      throw new CliError(
        'USAGE',
        `${dir} already holds the witness ${had} (${state.getMeta('algorithm')}); a witness keeps its name and key`,
        { field: 'data-dir' },
      );
    }
    const ephemeral = args.flags.has('ephemeral-keys');
    const { provider, key } = await openWitnessKey(algorithm, ephemeral);
    try {
      await state.setMeta('name', name);
      await state.setMeta('algorithm', algorithm);
      if (provider.kind === 'memory') {
        out(
          `${name}: ephemeral keys: each spark witness serve --ephemeral-keys makes a new key and answers its vkey on GET /`,
        );
      } else {
        out(cosignerVerifierKey(selfOf(name, key)));
      }
      return 0;
    } finally {
      await provider.close();
    }
  });
}

/** The logs named by trust root files: origin from the log id, every pinned key. */
function logsOf(paths: readonly string[]): WitnessedLog[] {
  if (paths.length === 0)
    throw new CliError('USAGE', '--log ROOT.json is required (once per log)', { field: 'log' });
  const logs: WitnessedLog[] = [];
  for (const path of paths) {
    // Opened as the other commands open files: regular files only, size checked before reading (src/cli/io.ts).
    const json = new TextDecoder().decode(readFileFor('log', path, MAX_TRUST_ROOT_BYTES));
    const root = parseTrustRoot(json, createNativeVerifier(), nativeSha256);
    if (!root.ok) throw new CliError('USAGE', `--log ${path}: ${root.reason}`, { field: 'log' });
    const origin = logOrigin(root.value.logId);
    const keys: Cosigner[] = [];
    for (const k of root.value.keys) {
      const alg = algorithmById(k.algorithmId);
      if (alg !== undefined)
        keys.push({ name: origin, algorithm: alg.name as CosignatureAlgorithm, publicKey: k.publicKey });
    }
    logs.push({ origin, keys });
  }
  return logs;
}

/** `spark witness serve --data-dir D --listen HOST:PORT --log ROOT.json … [--insecure]`. */
async function serveWitness(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, {
    'data-dir': 'string',
    listen: 'string',
    log: 'strings',
    insecure: 'boolean',
    'ephemeral-keys': 'boolean',
  });
  const dir = dataDirOf(stringFlag(args, 'data-dir'));
  const listenText = stringFlag(args, 'listen') ?? '127.0.0.1:7380';
  const listen = parseListen(listenText);
  if (typeof listen === 'string') throw new CliError('USAGE', `--listen: ${listen}`, { field: 'listen' });
  const config = loadConfig(process.env);
  if (config.tls === undefined && !args.flags.has('insecure') && !isLoopbackHost(listen.host)) {
    throw new CliError(
      'USAGE',
      `${listen.host} is not a loopback address: serve TLS (SPARK_TLS_CERT, SPARK_TLS_KEY) or pass --insecure`,
      { field: 'listen' },
    );
  }
  const logs = logsOf(stringsFlag(args, 'log'));
  const log = createLogger(config.logLevel, undefined, config.logFormat);
  const state = openWitnessState(join(dir, STATE_DIR));
  const signalled = untilSignal(log);
  let provider: KeyProvider | undefined;
  try {
    const name = state.getMeta('name');
    const algorithm = state.getMeta('algorithm');
    if (name === undefined || algorithm === undefined) {
      throw new CliError('USAGE', `${dir} holds no witness: run spark witness init first`, {
        field: 'data-dir',
      });
    }
    const opened = await openWitnessKey(algorithm, args.flags.has('ephemeral-keys'));
    provider = opened.provider;
    const key = opened.key;
    const self = selfOf(name, key);
    if (provider.kind === 'memory') {
      // The one line an operator needs: this witness's key lives as long as this process.
      log.warn(
        { witness: name, vkey: cosignerVerifierKey(self) },
        'ephemeral witness key (memory provider): a new key at every start, which no log or verifier can keep trusting; for development only',
      );
    }
    const metrics = createWitnessMetrics();
    const witness = createWitness({
      self,
      sign: (message) => key.sign(message),
      logs,
      state,
      check: createNoteSignatureCheck(),
      sha256: nativeSha256,
      now: Date.now,
      log,
      onEquivocation: (_origin, kind) => metrics.equivocation(kind),
    });
    const tls = config.tls === undefined ? undefined : loadServerTls(config.tls);
    const server = await startWitnessServer({
      witness,
      vkey: cosignerVerifierKey(self),
      metrics,
      onAnswer: (status) => metrics.answered(status),
      host: listen.host,
      port: listen.port,
      tls,
      log,
    });
    log.info(
      {
        witness: name,
        algorithm,
        logs: logs.map((l) => l.origin),
        host: server.address.host,
        port: server.address.port,
        tls: tls !== undefined,
      },
      'listening',
    );
    const signal = await signalled;
    log.info({ signal }, 'witness shutting down');
    try {
      await server.close();
      await provider.close();
      await state.close();
      return 0;
    } catch {
      return 1;
    }
  } catch (err) {
    await provider?.close().catch(() => undefined);
    await state.close().catch(() => undefined);
    // Whatever still holds the event loop must not hold a failed start.
    setTimeout(() => process.exit(2), 1500).unref();
    throw err;
  }
}

/** `spark witness evidence --data-dir D [--json]`: the conflicting checkpoints kept. */
async function evidence(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { 'data-dir': 'string', json: 'boolean' });
  const dir = dataDirOf(stringFlag(args, 'data-dir'));
  return withState(dir, async (state) => {
    const all = state.evidence();
    if (args.flags.has('json')) {
      out(JSON.stringify({ evidence: all }, null, 2));
      return 0;
    }
    if (all.length === 0) {
      out('no conflicting checkpoints kept');
      return 0;
    }
    for (const [i, e] of all.entries()) {
      out(`#${i + 1} ${e.kind} for ${e.origin}, observed ${new Date(e.observedAtMs).toISOString()}`);
      out('  cosigned before:');
      for (const line of e.cosigned.trimEnd().split('\n')) out(`    ${line}`);
      out('  conflicting:');
      for (const line of e.conflicting.trimEnd().split('\n')) out(`    ${line}`);
      if (e.proof.length > 0)
        out(`  with a consistency proof of ${e.proof.length} hashes that does not verify`);
    }
    return 0;
  });
}

/** Dispatches `spark witness <action>`. */
export async function witness(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'init':
      return init(rest, out);
    case 'serve':
      return serveWitness(rest);
    case 'evidence':
      return evidence(rest, out);
    default:
      throw new CliError('USAGE', `witness: unknown action "${action ?? ''}" (init, serve, evidence)`);
  }
}
