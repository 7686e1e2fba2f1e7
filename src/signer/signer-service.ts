// The SparkSigner service: identity from TLS, policy per call, checked requests, keys from the signer's own provider.
import { createHash } from 'node:crypto';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { KeyError } from '../../providers/key-error.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { SparkSigner } from '../gen/spark/v1/signer_pb.js';
import type { Logger } from '../log/logger.ts';
import type { AlgorithmSpec } from '../proof/crypto/algorithms.ts';
import { PEER_IDENTITY, type PeerIdentity } from './peer-identity.ts';
import type { SignerPolicy, SignerPurpose } from './policy.ts';
import { checkAlgorithm, checkContext, checkKeyPurpose, checkMessage } from './request-checks.ts';
import { logSignature } from './signature-log.ts';
import { fromKeyError, isKeyFault, signerError } from './signer-errors.ts';

/** What the service needs. */
export interface SignerServiceOptions {
  /** The signer's own key provider (memory, docker-secret, pkcs11): where the keys really live. */
  readonly provider: KeyProvider;
  readonly policy: SignerPolicy;
  readonly log: Logger;
}

/** Registers SparkSigner on a router. */
export function signerRoutes(options: SignerServiceOptions): (router: ConnectRouter) => void {
  const { provider, policy, log } = options;

  /** The verified caller; a call without one (impossible behind rejectUnauthorized) is refused. */
  const identity = (ctx: HandlerContext): PeerIdentity => {
    const peer = ctx.values.get(PEER_IDENTITY);
    if (peer === undefined) {
      throw signerError(Code.Unauthenticated, 'UNAUTHENTICATED', 'no verified client certificate');
    }
    return peer;
  };

  /** Refuses, naming only what was asked, unless the policy allows it. */
  const authorize = (peer: PeerIdentity, purpose: SignerPurpose, spec?: AlgorithmSpec): void => {
    if (policy.allows(peer.name, purpose, spec?.id)) return;
    log.warn({ client: peer.name, purpose, algorithm: spec?.name }, 'refused by policy');
    const what = spec === undefined ? purpose : `${spec.name} for ${purpose}`;
    throw signerError(Code.PermissionDenied, 'POLICY_REFUSED', `client "${peer.name}" may not use ${what}`);
  };

  /** Runs one call, turning every failure into the answer a client may see (and logging what it may not). */
  const answer = async <T>(method: string, ctx: HandlerContext, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const client = ctx.values.get(PEER_IDENTITY)?.name;
      if (err instanceof ConnectError) {
        if (err.code === Code.InvalidArgument)
          log.warn({ client, method, reason: err.rawMessage }, 'bad request');
        throw err;
      }
      if (isKeyFault(err)) {
        log.error({ client, method, code: err.code, err }, 'signer key failed');
      } else if (!(err instanceof KeyError)) {
        log.error({ client, method, err }, 'signer call failed');
        throw signerError(Code.Internal, 'SIGNING_FAILED', 'the signer could not sign');
      }
      throw fromKeyError(err);
    }
  };

  return (router) => {
    router.service(SparkSigner, {
      getPublicKey: (req, ctx) =>
        answer('GetPublicKey', ctx, async () => {
          const peer = identity(ctx);
          const purpose = checkKeyPurpose(req.purpose);
          const spec = checkAlgorithm(req.algorithmId);
          authorize(peer, purpose, spec);
          const key = await provider.open(purpose, spec.id, req.generation);
          return {
            algorithmId: key.algorithmId,
            publicKey: key.publicKey,
            keyId: key.keyId,
            protection: key.protection,
          };
        }),

      sign: (req, ctx) =>
        answer('Sign', ctx, async () => {
          const peer = identity(ctx);
          const purpose = checkKeyPurpose(req.purpose);
          const spec = checkAlgorithm(req.algorithmId);
          authorize(peer, purpose, spec);
          checkMessage(req.message, 'message');
          checkContext(req.context);
          const key = await provider.open(purpose, spec.id, req.generation);
          const signature = await key.sign(req.message, req.context);
          logSignature(log, {
            client: peer,
            purpose,
            algorithm: spec.name,
            algorithmId: spec.id,
            generation: req.generation,
            keyId: key.keyId,
            message: req.message,
            context: req.context,
          });
          return { signature };
        }),

      getSymbolAccount: (_req, ctx) =>
        answer('GetSymbolAccount', ctx, async () => {
          authorize(identity(ctx), 'symbol-account');
          const account = await provider.openSymbolAccount();
          return { publicKey: account.publicKey };
        }),

      signSymbolTransaction: (req, ctx) =>
        answer('SignSymbolTransaction', ctx, async () => {
          const peer = identity(ctx);
          authorize(peer, 'symbol-account');
          checkMessage(req.signingPayload, 'signing_payload');
          const account = await provider.openSymbolAccount();
          const signature = await account.sign(req.signingPayload);
          const publicKey = account.publicKey;
          logSignature(log, {
            client: peer,
            purpose: 'symbol-account',
            algorithm: 'Ed25519',
            keyId: new Uint8Array(createHash('sha256').update(publicKey).digest()),
            message: req.signingPayload,
          });
          return { signature };
        }),
    });
  };
}
