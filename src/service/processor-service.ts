// spark.v1.SparkProcessor handlers: thin translation between protobuf and the batch/bundle core (SPEC §4).
import { create } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { Ingest } from '../batch/ingest.ts';
import type { createProver } from '../batch/prover.ts';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import { decodeBundle } from '../bundle/codec.ts';
import { verifyBundle } from '../bundle/verify.ts';
import { allAlgorithms } from '../crypto/algorithms.ts';
import type { Sha256 } from '../crypto/sha256.ts';
import type { SignatureVerifier } from '../crypto/signature-verifier.ts';
import { Status } from '../gen/spark/v1/bundle_pb.js';
import {
  AlgorithmInfoSchema,
  type ProveResponse,
  ProveResponseSchema,
  type SparkProcessor,
  SubmitResponseSchema,
  type SubmitStreamResponse,
  SubmitStreamResponseSchema,
  VerifyResponseSchema,
} from '../gen/spark/v1/processor_pb.js';
import type { Store } from '../store/store.ts';
import { leafStatus, toKeyRecord, toReceipt } from './convert.ts';
import { toConnectError, toErrorDetail } from './error-map.ts';
import { RequestError } from './request-error.ts';
import { pipelineInOrder } from './submit-stream.ts';
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
  readonly algorithmId: number;
  readonly keyProvider: string;
  readonly anchoringEnabled: boolean;
}

/** Final status a leaf reaches on a server that does not anchor. */
const FINAL_STATUS = Status.SEALED;

/** Creates the SparkProcessor implementation. */
export function createProcessorService(d: ProcessorDeps): ServiceImpl<typeof SparkProcessor> {
  const proveResponse = (leafHash: Uint8Array): ProveResponse => {
    const proof = d.prover.prove(leafHash);
    return create(ProveResponseSchema, {
      status: leafStatus(proof.record),
      receipt: toReceipt(proof.record, false, d.timeoutMs),
      ...(proof.bundle === undefined ? {} : { bundle: proof.bundle }),
    });
  };

  const submitOne = async (req: Parameters<typeof toSubmission>[0]) => {
    const [result] = await d.ingest.submit([toSubmission(req, d.sha256)]);
    if (result === undefined) throw new Error('ingest returned no result');
    if (result instanceof RequestError) throw result;
    return toReceipt(result.record, result.duplicate, d.timeoutMs);
  };

  return {
    async submit(req) {
      try {
        return create(SubmitResponseSchema, { receipt: await submitOne(req) });
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async *submitStream(reqs) {
      yield* pipelineInOrder(reqs, async (req, index): Promise<SubmitStreamResponse> => {
        try {
          const receipt = await submitOne(req);
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
      });
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
      try {
        leafHash = requireHash32(req.leafHash, 'leaf_hash');
        current = proveResponse(leafHash);
      } catch (err) {
        throw toConnectError(err);
      }
      yield current;
      if (current.status === FINAL_STATUS) return;
      // Wait for the batch that holds this leaf, or for the client (or shutdown) to end the call.
      await new Promise<void>((resolve) => {
        const off = d.scheduler.onSealed(() => {
          const rec = d.store.getLeaf(leafHash);
          if (rec?.position !== undefined) done();
        });
        const done = () => {
          off();
          ctx.signal.removeEventListener('abort', done);
          resolve();
        };
        ctx.signal.addEventListener('abort', done);
        if (d.store.getLeaf(leafHash)?.position !== undefined) done();
      });
      if (ctx.signal.aborted) return;
      yield proveResponse(leafHash);
    },

    async verify(req) {
      try {
        if (req.bundle.length === 0) {
          throw new RequestError('FIELD_MISSING', 'bundle: required (the bytes of a .spark file)', {
            field: 'bundle',
          });
        }
        decodeBundle(req.bundle); // malformed bytes are a bad request, not an invalid proof
        let data: Uint8Array | undefined;
        let digest: Uint8Array | undefined;
        if (req.subject.case === 'data') data = req.subject.value;
        if (req.subject.case === 'digest') digest = requireHash32(req.subject.value, 'digest');
        const report = verifyBundle(req.bundle, {
          verifier: d.verifier,
          sha256: d.sha256,
          ...(data === undefined ? {} : { data }),
          ...(digest === undefined ? {} : { digest }),
        });
        return create(VerifyResponseSchema, { valid: report.valid, checks: report.checks });
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
            active: a.id === d.algorithmId && current !== undefined && current.algorithmId === a.id,
            implementation: d.verifier.name,
          }),
        ),
        keys: keys.map(toKeyRecord),
        keyProvider: d.keyProvider,
        ...(head === undefined ? {} : { headSequence: head.sequence, headHeaderHash: head.headerHash }),
        pendingLeaves: BigInt(d.store.pendingCount()),
        anchoringEnabled: d.anchoringEnabled,
      };
    },
  };
}
