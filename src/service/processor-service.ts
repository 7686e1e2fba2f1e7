// spark.v1.SparkProcessor handlers: thin translation between protobuf and the batch/bundle core (proto/spark/v1/processor.proto).

import { create } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { anchorStateStore } from '../anchor/anchor-state.ts';
import type { AnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import type { OnlineCheck } from '../anchor/symbol/online-check.ts';
import type { Acknowledgement, Ingest } from '../batch/ingest.ts';
import type { createProver } from '../batch/prover.ts';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import type { SourceChecker } from '../chains/source-checker.ts';
import { type CheckpointNotes, noteOf } from '../cosign/checkpoint-notes.ts';
import type { QuorumState } from '../cosign/cosigning-rounds.ts';
import { CREDIT_MEMO_PREFIX } from '../credit/credit.ts';
import { RequestError } from '../errors/request-error.ts';
import { SparkError } from '../errors/spark-error.ts';
import { Status } from '../gen/spark/v1/bundle_pb.js';
import {
  AlgorithmInfoSchema,
  type FeeQuote,
  FeeQuoteSchema,
  type ProveResponse,
  ProveResponseSchema,
  type SparkProcessor,
  type SubmitBatchRequest,
  type SubmitBatchResponse,
  SubmitBatchResponseSchema,
  type SubmitRequest,
  type SubmitResponse,
  SubmitResponseSchema,
  type SubmitStreamResponse,
  SubmitStreamResponseSchema,
  type VerifyRequest,
  VerifyResponseSchema,
  WitnessQuorumStatusSchema,
} from '../gen/spark/v1/processor_pb.js';
import type { Publications } from '../ipfs/publications.ts';
import { resultLabel } from '../metrics/metrics.ts';
import type { IssuerPin } from '../proof/bundle/checks/issuer.ts';
import type { WitnessPolicy } from '../proof/bundle/checks/witnesses.ts';
import { decodeBundle } from '../proof/bundle/codec.ts';
import { createBundleVerifier, verdictOf } from '../proof/bundle/verify.ts';
import { allAlgorithms } from '../proof/crypto/algorithms.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import type { SignatureVerifier } from '../proof/crypto/signature-verifier.ts';
import {
  encodeTrustRoot,
  parseTrustRoot,
  type TrustedWitness,
  type TrustRoot,
} from '../proof/trust/trust-root.ts';
import { parseWitnessPolicy } from '../proof/trust/witness-policy.ts';
import type { Store } from '../store/store.ts';
import { StoreError } from '../store/store-error.ts';
import { exportTrustRoot } from '../trust/export-root.ts';
import { ANONYMOUS_CLIENT, type ClientQuota, clientNameOf } from '../usage/usage.ts';
import { accountResponse } from './account-summary.ts';
import { CALLER, CONNECTION, type Connection, type Identity } from './authorization.ts';
import { coalesce } from './coalesce.ts';
import { creditMessageOf, leafStatus, toKeyRecord, toReceipt } from './convert.ts';
import { toConnectError, toErrorDetail } from './error-map.ts';
import { CALL_CONNECTION, checkItemCount, type RateLimiter, rateLimited, type StreamGate } from './limits.ts';
import { createPublishHandlers } from './publish-service.ts';
import { statusSummary } from './status-summary.ts';
import { createItemBudget, pipelineInOrder, STREAM_WINDOW, type StreamShare } from './submit-stream.ts';
import { requireHash32, toSubmission } from './validate.ts';

/** What the handlers need. */
export interface ProcessorDeps {
  readonly store: Store;
  readonly ingest: Ingest;
  readonly prover: ReturnType<typeof createProver>;
  readonly scheduler: SealScheduler;
  readonly sha256: Sha256;
  readonly verifier: SignatureVerifier;
  readonly timeoutMs: number;
  readonly keyProvider: string;
  /** Present when sealed batches are anchored on Symbol. */
  readonly anchors: AnchorTracker | undefined;
  /** PQC_IMMEDIATE_FEE_MULTIPLIER. */
  readonly immediateFeeMultiplier: number;
  /** Checks a bundle's anchor against the Symbol node (VerifyRequest.check_on_chain); absent without a node. */
  readonly onlineCheck?: OnlineCheck | undefined;
  /** Request limits (docs/security.md). */
  readonly limits: ProcessorLimits;
  /** Checks other-chain references against their chains' endpoints (docs/operations.md §Other-chain references); absent: form only. */
  readonly sourceChecker?: SourceChecker | undefined;
  /** Published bundles (Publish, GetPublication). */
  readonly publications: Publications;
  /** Told what each submission came to: "accepted", "duplicate", or the refusal's code (for metrics). */
  readonly onSubmission?: ((result: string, count?: number) => void) | undefined;
  /** The header log's checkpoint notes (GetCheckpoint, GetConsistencyProof). */
  readonly checkpointNotes: CheckpointNotes;
  /** The witness quorum state (GetStatus), when witnesses are configured. */
  readonly witnessQuorum?: (() => QuorumState) | undefined;
  /** The witnesses and quorum the trust root pins (GetTrustRoot), when witnesses are configured. */
  readonly witnesses?: { readonly list: readonly TrustedWitness[]; readonly quorum: number } | undefined;
  /** A client's quota from the tokens file, by client name (src/usage/usage.ts). */
  readonly quotaOf?: ((client: string) => ClientQuota | undefined) | undefined;
  /** With prepaid credit on: what one submission of `client` costs, µXYM (src/credit/credit.ts); else undefined. */
  readonly creditPriceOf?: ((client: string, immediate: boolean) => bigint | undefined) | undefined;
  /** Called for each new (not duplicate) submission a client was acknowledged, for per-client metrics. */
  readonly onClientSubmission?: ((client: string, immediate: boolean) => void) | undefined;
}

/** The issuer a VerifyRequest pins (trust_root_json, log_id, key_id), or undefined; a bad pin names its field. */
function issuerPinOf(req: VerifyRequest, verifier: SignatureVerifier, sha256: Sha256): IssuerPin | undefined {
  if (req.trustRootJson === '' && req.logId.length === 0 && req.keyId.length === 0) return undefined;
  let root: TrustRoot | undefined;
  if (req.trustRootJson !== '') {
    const parsed = parseTrustRoot(req.trustRootJson, verifier, sha256);
    if (!parsed.ok) {
      throw new RequestError('FIELD_INVALID', `trust_root_json: not a trust root: ${parsed.reason}`, {
        field: 'trust_root_json',
      });
    }
    root = parsed.value;
  }
  return {
    ...(root === undefined ? {} : { root }),
    ...(req.logId.length === 0 ? {} : { logId: requireHash32(req.logId, 'log_id') }),
    ...(req.keyId.length === 0 ? {} : { keyId: requireHash32(req.keyId, 'key_id') }),
  };
}

/** The witness policy a VerifyRequest names (witness_policy_json), or undefined; a bad one names the field. */
function witnessPolicyOfRequest(req: VerifyRequest): WitnessPolicy | undefined {
  if (req.witnessPolicyJson === '') return undefined;
  const policy = parseWitnessPolicy(req.witnessPolicyJson);
  if (typeof policy === 'string') {
    throw new RequestError('FIELD_INVALID', `witness_policy_json: not a witness policy: ${policy}`, {
      field: 'witness_policy_json',
    });
  }
  return policy;
}

/** A submission's outcome as a metrics label. */
function outcomeLabel(outcome: unknown): string {
  if (outcome instanceof SparkError) return resultLabel(outcome.code);
  if (outcome instanceof Error) return 'error';
  return (outcome as { duplicate: boolean }).duplicate ? 'duplicate' : 'accepted';
}

/** The limits the handlers enforce. */
export interface ProcessorLimits {
  /** SPARK_MAX_ITEMS_PER_REQUEST: most items in one SubmitBatch. */
  readonly maxItemsPerRequest: number;
  /**
   * SubmitStream and WatchProof calls open at once: SPARK_MAX_CONCURRENT_STREAMS on the server,
   * SPARK_MAX_STREAMS_PER_CONNECTION on one connection.
   */
  readonly streams: StreamGate;
  /** SPARK_STREAM_RATE: SubmitStream items per second per client (0 = unlimited). */
  readonly streamRate: number;
  readonly rateLimiter: RateLimiter;
  /** Items in flight of all SubmitStreams together (STREAM_ITEMS_BUDGET; smaller under SPARK_MEMORY_PROFILE=lean). */
  readonly streamItemsBudget?: number | undefined;
}

/** Who a call comes from, for per-client limits: the identity it was admitted with, its certificate, else its address. */
export function clientKey(caller: Identity | undefined, c: Connection): string {
  if (caller !== undefined) return `${caller.via}:${caller.name}`;
  return c.certificate !== undefined ? `certificate:${c.certificate.name}` : `address:${c.remoteAddress}`;
}

/** Who a submission comes from: the key per-client limits use, and the client name usage and quotas use. */
export interface Caller {
  readonly key: string;
  readonly client: string;
}

/** The caller of a call admitted as `identity` on connection `c` (the name `anonymous` without one). */
export function callerOf(identity: Identity | undefined, c: Connection): Caller {
  return {
    key: clientKey(identity, c),
    client: clientNameOf(identity?.name ?? c.certificate?.name ?? ANONYMOUS_CLIENT),
  };
}

/** A caller for in-process calls that carry no connection (tests, tools): `anonymous`. */
export const ANONYMOUS_CALLER: Caller = { key: 'address:local', client: ANONYMOUS_CLIENT };

/**
 * Submit, SubmitBatch and SubmitStream as plain functions over protobuf messages: the connect handlers and the
 * gRPC fast path (src/service/grpc-fast-path.ts) both serve these RPCs through them. Failures are ConnectErrors.
 */
export interface IngestHandlers {
  submit(req: SubmitRequest, caller?: Caller): Promise<SubmitResponse>;
  submitBatch(req: SubmitBatchRequest, caller?: Caller): Promise<SubmitBatchResponse>;
  /**
   * Admits a SubmitStream arriving on `connection` (SPARK_MAX_CONCURRENT_STREAMS, SPARK_MAX_STREAMS_PER_CONNECTION)
   * or throws; its share says how many items it may have in flight (STREAM_ITEMS_BUDGET shared by all streams).
   * Call `leave` when the stream ends.
   */
  enterStream(connection: object | undefined): StreamShare;
  /** One SubmitStream item of `caller`; never rejects: a refusal is the item's error result. */
  streamItem(caller: Caller, req: SubmitRequest, index: number): Promise<SubmitStreamResponse>;
}

/** Creates the ingest RPCs (one instance per server: SubmitStream items of all streams coalesce in it). */
export function createIngestHandlers(d: ProcessorDeps): IngestHandlers {
  const feeQuote = (immediate: boolean): FeeQuote | undefined => {
    const fee = d.anchors?.singleAnchorFee();
    if (fee === undefined) return undefined;
    const factor = immediate ? d.immediateFeeMultiplier : 1;
    return create(FeeQuoteSchema, {
      amountMicroXym: BigInt(Math.ceil(Number(fee.amount) * factor)),
      feeMultiplier: fee.multiplier,
      anchorSize: fee.size,
      immediate,
    });
  };

  const note = (outcome: unknown, count = 1): void => d.onSubmission?.(outcomeLabel(outcome), count);

  /** The submission with its source reference checked on its chain (when the server can). */
  /** The submission with its source reference checked on its chain (when the server can), and its caller. */
  const checked = async (
    s: ReturnType<typeof toSubmission>,
    caller: Caller,
  ): Promise<ReturnType<typeof toSubmission>> => {
    const source =
      s.source === undefined || d.sourceChecker === undefined
        ? s.source
        : await d.sourceChecker.check(s.source);
    const price = d.creditPriceOf?.(caller.client, s.immediate);
    return {
      ...s,
      source,
      client: caller.client,
      quota: d.quotaOf?.(caller.client),
      ...(price === undefined ? {} : { price }),
    };
  };
  /** Counts the new (not duplicate) submissions of `caller` that `result` acknowledges. */
  const counted = (
    caller: Caller,
    s: Submission,
    result: Acknowledgement | RequestError | undefined,
  ): void => {
    if (result !== undefined && !(result instanceof RequestError) && !result.duplicate)
      d.onClientSubmission?.(caller.client, s.immediate);
  };

  type Submission = ReturnType<typeof toSubmission>;
  const ingestOne = async (submission: Submission) => (await d.ingest.submit([submission]))[0];
  // Stream items that arrive together are stored in one ingest call (src/service/coalesce.ts).
  const ingestCoalesced = coalesce((items: Submission[]) => d.ingest.submit(items), STREAM_WINDOW);
  // Items in flight of all streams together, shared equally (src/service/submit-stream.ts).
  const budget = createItemBudget(d.limits.streamItemsBudget);

  const submitOne = async (req: Parameters<typeof toSubmission>[0], caller: Caller, ingest = ingestOne) => {
    let submission: Submission;
    try {
      submission = await checked(toSubmission(req, d.sha256), caller);
    } catch (err) {
      note(err);
      throw err;
    }
    const result = await ingest(submission).catch((err: unknown) => {
      note(err);
      throw err;
    });
    if (result === undefined) throw new Error('ingest returned no result');
    note(result);
    counted(caller, submission, result);
    if (result instanceof RequestError) throw result;
    return toReceipt(result.record, result.duplicate, d.timeoutMs, {
      feeQuote: feeQuote(submission.immediate),
    });
  };

  return {
    async submit(req, caller = ANONYMOUS_CALLER) {
      try {
        return create(SubmitResponseSchema, { receipt: await submitOne(req, caller) });
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async submitBatch(req, caller = ANONYMOUS_CALLER) {
      // A refusal of the whole request (too many items, shutting down, a failed write) counts for each item.
      let itemsNoted = false;
      try {
        checkItemCount(req.items.length, d.limits.maxItemsPerRequest);
        // Each item is validated on its own; the valid ones go to the store in one durable write.
        const submissions: Array<ReturnType<typeof toSubmission> | RequestError> = await Promise.all(
          req.items.map(async (item) => {
            try {
              return await checked(toSubmission(item, d.sha256), caller);
            } catch (err) {
              if (err instanceof RequestError) return err;
              throw err;
            }
          }),
        );
        const valid = submissions.filter(
          (s): s is ReturnType<typeof toSubmission> => !(s instanceof RequestError),
        );
        const stored = valid.length > 0 ? await d.ingest.submit(valid) : [];
        itemsNoted = true;
        let next = 0;
        const results = submissions.map((s, index) => {
          const outcome = s instanceof RequestError ? s : stored[next++];
          if (outcome === undefined) throw new Error('ingest returned fewer results than items');
          note(outcome);
          if (!(s instanceof RequestError)) counted(caller, s, outcome);
          if (outcome instanceof RequestError) {
            return create(SubmitStreamResponseSchema, {
              index: BigInt(index),
              result: { case: 'error', value: toErrorDetail(outcome) },
            });
          }
          const receipt = toReceipt(outcome.record, outcome.duplicate, d.timeoutMs, {
            feeQuote: feeQuote((s as ReturnType<typeof toSubmission>).immediate),
          });
          return create(SubmitStreamResponseSchema, {
            index: BigInt(index),
            result: { case: 'receipt', value: receipt },
          });
        });
        return create(SubmitBatchResponseSchema, { results });
      } catch (err) {
        if (!itemsNoted) note(err, req.items.length);
        throw toConnectError(err);
      }
    },

    enterStream(connection) {
      let leaveGate: () => void;
      try {
        leaveGate = d.limits.streams.enter(connection);
      } catch (err) {
        throw toConnectError(err);
      }
      const share = budget.join();
      return {
        window: share.window,
        leave() {
          share.leave();
          leaveGate();
        },
      };
    },

    async streamItem(caller, req, index) {
      try {
        if (!d.limits.rateLimiter.take(caller.key)) {
          const refused = rateLimited(d.limits.streamRate);
          note(refused);
          throw refused;
        }
        const receipt = await submitOne(req, caller, ingestCoalesced);
        return create(SubmitStreamResponseSchema, {
          index: BigInt(index),
          result: { case: 'receipt', value: receipt },
        });
      } catch (err) {
        return create(SubmitStreamResponseSchema, {
          index: BigInt(index),
          result: { case: 'error', value: toErrorDetail(err) },
        });
      }
    },
  };
}

/** Creates the SparkProcessor implementation; `ingest` shares the ingest RPCs with the gRPC fast path. */
export function createProcessorService(
  d: ProcessorDeps,
  ingest: IngestHandlers = createIngestHandlers(d),
): ServiceImpl<typeof SparkProcessor> {
  // Remembers verified key statements and header signatures: a server verifies many bundles of few keys.
  const bundleVerifier = createBundleVerifier({ verifier: d.verifier, sha256: d.sha256 });
  // Without anchoring a leaf is final once SEALED; with it, once FINALIZED on Symbol.
  const finalStatus = d.anchors === undefined ? Status.SEALED : Status.FINALIZED;

  const proveResponse = (leafHash: Uint8Array): ProveResponse => {
    const proof = d.prover.prove(leafHash);
    const status = leafStatus(proof.record, proof.anchorStatus);
    return create(ProveResponseSchema, {
      status,
      receipt: toReceipt(proof.record, false, d.timeoutMs, { status }),
      ...(proof.bundle === undefined ? {} : { bundle: proof.bundle }),
    });
  };

  const statusOf = (leafHash: Uint8Array): Status => {
    const s = d.prover.status(leafHash);
    return leafStatus(s.record, s.anchorStatus);
  };

  const publishing = createPublishHandlers({
    publications: d.publications,
    prove: (leafHash) => {
      const r = proveResponse(leafHash);
      return { status: r.status, bundle: r.bundle };
    },
  });

  return {
    publish: publishing.publish,
    getPublication: publishing.getPublication,
    getStatus: async () => {
      const summary = statusSummary(d.store, d.anchors, Date.now);
      const q = d.witnessQuorum?.();
      if (q !== undefined) {
        summary.witnesses = create(WitnessQuorumStatusSchema, {
          quorum: q.quorum,
          checkpointSize: q.size,
          cosignatures: q.cosignatures,
          witnesses: q.witnesses.map((w) => ({
            name: w.name,
            url: w.url,
            cosignedSize: w.cosignedSize,
            lastError: w.lastError ?? '',
            lastSuccessAtMs: BigInt(w.lastSuccessMs ?? 0),
          })),
        });
      }
      return summary;
    },
    getAccount: async () => accountResponse(d.anchors),

    async getCredit(_req, ctx: HandlerContext) {
      const priceOf = d.creditPriceOf;
      if (priceOf === undefined) return { enabled: false };
      // Only the caller's own: the client name comes from its credentials, never from the request.
      const { client } = callerOf(ctx.values.get(CALLER), ctx.values.get(CONNECTION));
      return {
        enabled: true,
        client,
        credit: creditMessageOf(
          client,
          d.store.creditBalances(client)[0],
          (c, immediate) => priceOf(c, immediate) ?? 0n,
        ),
        address: d.anchors?.accountSummary().address ?? '',
        message: `${CREDIT_MEMO_PREFIX}${client}`,
      };
    },

    submit: (req, ctx: HandlerContext) =>
      ingest.submit(req, callerOf(ctx.values.get(CALLER), ctx.values.get(CONNECTION))),
    submitBatch: (req, ctx: HandlerContext) =>
      ingest.submitBatch(req, callerOf(ctx.values.get(CALLER), ctx.values.get(CONNECTION))),

    async *submitStream(reqs, ctx: HandlerContext) {
      const share = ingest.enterStream(ctx.values.get(CALL_CONNECTION));
      const caller = callerOf(ctx.values.get(CALLER), ctx.values.get(CONNECTION));
      try {
        yield* pipelineInOrder(reqs, (req, index) => ingest.streamItem(caller, req, index), share.window);
      } finally {
        share.leave();
      }
    },

    async prove(req) {
      try {
        return proveResponse(requireHash32(req.leafHash, 'leaf_hash'));
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async *watchProof(req, ctx: HandlerContext) {
      let leafHash: Uint8Array;
      let current: ProveResponse;
      let leave: () => void;
      try {
        leafHash = requireHash32(req.leafHash, 'leaf_hash');
        current = proveResponse(leafHash);
        leave = d.limits.streams.enter(ctx.values.get(CALL_CONNECTION));
      } catch (err) {
        throw toConnectError(err);
      }
      try {
        yield current;
        // Follow every change (sealing, then each anchoring step) until the final status or the end of the call.
        while (current.status !== finalStatus && !ctx.signal.aborted) {
          await new Promise<void>((resolve) => {
            const offs: Array<() => void> = [];
            const done = () => {
              for (const off of offs) off();
              ctx.signal.removeEventListener('abort', done);
              resolve();
            };
            offs.push(d.scheduler.onSealed(done));
            if (d.anchors !== undefined) offs.push(d.anchors.onChange(done));
            ctx.signal.addEventListener('abort', done);
            // A change between the last read and the subscription must not be missed.
            if (statusOf(leafHash) !== current.status) done();
          });
          if (ctx.signal.aborted) return;
          // Events come for every batch; the bundle is rebuilt only when this leaf's status moved.
          if (statusOf(leafHash) !== current.status) {
            current = proveResponse(leafHash);
            yield current;
          }
        }
      } finally {
        leave();
      }
    },

    async verify(req) {
      try {
        if (req.bundle.length === 0) {
          throw new RequestError('FIELD_MISSING', 'bundle: required (the bytes of a .spark file)', {
            field: 'bundle',
          });
        }
        const bundle = decodeBundle(req.bundle); // malformed bytes are a bad request, not an invalid proof
        let data: Uint8Array | undefined;
        let digest: Uint8Array | undefined;
        if (req.subject.case === 'data') data = req.subject.value;
        if (req.subject.case === 'digest') digest = requireHash32(req.subject.value, 'digest');
        const onlineCheck = d.onlineCheck;
        if (req.checkOnChain && onlineCheck === undefined) {
          throw new RequestError(
            'NO_SYMBOL_NODE',
            'check_on_chain: this server has no Symbol node (SYMBOL_NODE_URL is not set)',
            { field: 'check_on_chain' },
          );
        }
        // Decoded once: the checks run on the bundle decoded above.
        const pin = issuerPinOf(req, d.verifier, d.sha256);
        const witnessPolicy = witnessPolicyOfRequest(req);
        const report = bundleVerifier.verifyDecoded(req.bundle, bundle, {
          ...(data === undefined ? {} : { data }),
          ...(digest === undefined ? {} : { digest }),
          ...(pin === undefined ? {} : { pin }),
          ...(witnessPolicy === undefined ? {} : { witnessPolicy }),
        });
        const checks: { name: string; ok: boolean; detail: string }[] = [...report.checks];
        if (req.checkOnChain && onlineCheck !== undefined) checks.push(...(await onlineCheck(bundle)));
        return create(VerifyResponseSchema, {
          valid: checks.every((c) => c.ok),
          checks,
          issuerPinned: report.issuerPinned,
          verdict: verdictOf({ checks, issuerPinned: report.issuerPinned }),
        });
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async getTrustRoot() {
      try {
        const root = exportTrustRoot({
          store: d.store,
          states: anchorStateStore(d.store),
          ...(d.anchors === undefined ? {} : { account: d.anchors.account() }),
          nowMs: Date.now(),
          verifier: d.verifier,
          sha256: d.sha256,
          ...(d.witnesses === undefined ? {} : { witnesses: d.witnesses }),
        });
        // The stored history does not chain: nothing is shipped (docs/trust.md §Export).
        if (!root.ok) throw new StoreError('CORRUPT', `key history: ${root.reason}`);
        return { trustRootJson: encodeTrustRoot(root.value) };
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async getCheckpoint() {
      try {
        const note = await d.checkpointNotes.latest();
        if (note === undefined) {
          throw new RequestError('NOT_SEALED', 'no checkpoint yet: no batch has been sealed', {});
        }
        return { note: noteOf(note), size: note.size, origin: d.checkpointNotes.origin };
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async getConsistencyProof(req) {
      try {
        if (req.oldSize < 1n || req.oldSize > req.newSize) {
          throw new RequestError('FIELD_INVALID', 'old_size: must be at least 1 and at most new_size', {
            field: 'old_size',
          });
        }
        const head = d.store.head();
        const batches = head === undefined ? 0n : head.sequence + 1n;
        if (req.newSize > batches) {
          throw new RequestError('FIELD_INVALID', `new_size: the header log holds ${batches} batches`, {
            field: 'new_size',
          });
        }
        return { hashes: d.checkpointNotes.consistencyProof(req.oldSize, req.newSize) };
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async getKeyHistory() {
      return { keys: d.store.keyHistory().map(toKeyRecord) };
    },

    async getInventory() {
      const head = d.store.head();
      const keys = d.store.keyHistory();
      const current = keys[keys.length - 1];
      return {
        logId: d.store.logId,
        algorithms: allAlgorithms().map((a) =>
          create(AlgorithmInfoSchema, {
            id: a.id,
            name: a.name,
            standard: a.standard,
            securityCategory: a.securityCategory,
            active: current !== undefined && current.algorithmId === a.id,
            implementation: d.verifier.name,
          }),
        ),
        keys: keys.map(toKeyRecord),
        keyProvider: d.keyProvider,
        ...(head === undefined ? {} : { headSequence: head.sequence, headHeaderHash: head.headerHash }),
        pendingLeaves: BigInt(d.store.pendingCount()),
        anchoringEnabled: d.anchors !== undefined,
      };
    },
  };
}
