// The remote key provider (docs/keys.md): keys live on a `spark signer` reached over mutual TLS; only public keys and
// signatures cross, and every signature is verified here before use.
import type { ExternalSigner } from '../../src/anchor/external-signer.ts';
import { algorithmById } from '../../src/proof/crypto/algorithms.ts';
import { checkedEd25519Signer } from '../checked-ed25519-signer.ts';
import { KeyError } from '../key-error.ts';
import type { KeyProvider, KeyPurpose, SigningKey } from '../key-provider.ts';
import { checkKeyRequest } from '../key-request.ts';
import { openRemoteConnection, type RemoteProviderOptions } from './remote-connection.ts';
import { remoteKeyError } from './remote-error.ts';
import { RemoteSigningKey } from './remote-signing-key.ts';

export type { RemoteProviderOptions } from './remote-connection.ts';

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Creates the provider. The TLS files are read now (KeyError SECRET_UNUSABLE if unusable); the connection is
 * made at the first call. Failures: REMOTE_UNAVAILABLE (unreachable, TLS refused either way, deadline),
 * REMOTE_REFUSED (the signer's policy said no), SELF_CHECK_FAILED (a public key or signature that does not check).
 */
export function createRemoteProvider(options: RemoteProviderOptions): KeyProvider {
  const connection = openRemoteConnection(options);
  const { client } = connection;
  const keys = new Map<string, Promise<RemoteSigningKey>>();
  let account: Promise<ExternalSigner> | undefined;
  let closed = false;

  const closedError = (cause?: unknown) =>
    new KeyError('CLOSED', 'key provider is closed', cause === undefined ? {} : { cause });

  /** Runs one call; its failure becomes a KeyError (CLOSED when close() cut it off). */
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    if (closed) throw closedError();
    try {
      return await fn();
    } catch (err) {
      if (closed) throw closedError(err);
      throw remoteKeyError(err, connection.address, connection.timeoutMs);
    }
  }

  async function fetchKey(
    purpose: KeyPurpose,
    algorithmId: number,
    generation: number,
  ): Promise<RemoteSigningKey> {
    const answer = await call(() => client.getPublicKey({ purpose, algorithmId, generation }));
    if (answer.algorithmId !== algorithmId) {
      throw new KeyError('SELF_CHECK_FAILED', 'the signer answered with a key of another algorithm', {
        field: 'algorithmId',
      });
    }
    const key = new RemoteSigningKey(algorithmId, answer.publicKey, async (message, context) => {
      const signed = await call(() => client.sign({ purpose, algorithmId, generation, message, context }));
      return signed.signature;
    });
    if (!equalBytes(key.keyId, answer.keyId)) {
      throw new KeyError('SELF_CHECK_FAILED', 'the signer’s key id is not the SHA-256 of its public key', {
        field: 'keyId',
      });
    }
    return key;
  }

  async function fetchAccount(): Promise<ExternalSigner> {
    const answer = await call(() => client.getSymbolAccount({}));
    const remote: ExternalSigner = {
      publicKey: answer.publicKey,
      sign: async (signingPayload) =>
        (await call(() => client.signSymbolTransaction({ signingPayload }))).signature,
    };
    return checkedEd25519Signer(remote, () => closed);
  }

  return {
    kind: 'remote',
    async open(purpose: KeyPurpose, algorithmId: number, generation = 0): Promise<SigningKey> {
      if (closed) throw closedError();
      checkKeyRequest(purpose, generation);
      if (algorithmById(algorithmId) === undefined) {
        throw new KeyError('UNSUPPORTED_ALGORITHM', `unknown algorithm id ${algorithmId}`, {
          field: 'algorithmId',
        });
      }
      const slot = `${purpose}/${algorithmId}/${generation}`;
      let pending = keys.get(slot);
      if (pending === undefined) {
        pending = fetchKey(purpose, algorithmId, generation);
        keys.set(slot, pending);
        // A failed open is not remembered: the next one asks the signer again.
        pending.catch(() => {
          if (keys.get(slot) === pending) keys.delete(slot);
        });
      }
      const key = await pending;
      if (closed) throw closedError();
      return key;
    },
    async openSymbolAccount(): Promise<ExternalSigner> {
      if (closed) throw closedError();
      if (account === undefined) {
        const pending = fetchAccount();
        account = pending;
        pending.catch(() => {
          if (account === pending) account = undefined;
        });
      }
      const signer = await account;
      if (closed) throw closedError();
      return signer;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      connection.close();
      const opened = await Promise.allSettled(keys.values());
      for (const result of opened) if (result.status === 'fulfilled') result.value.close();
      keys.clear();
      account = undefined;
    },
  };
}
