// spark_submissions_total counts every item of a SubmitBatch, also when the whole request is refused after its
// items were read (shutting down, a failed write): the counter's sum matches what clients sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import type { Ingest } from '../../src/batch/ingest.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { RequestError } from '../../src/errors/request-error.ts';
import { SubmitBatchRequestSchema } from '../../src/gen/spark/v1/processor_pb.js';
import { createIngestHandlers, type ProcessorDeps } from '../../src/service/processor-service.ts';

function serviceRefusingWith(err: Error): {
  submitBatch: (items: Uint8Array[]) => Promise<unknown>;
  counted: Map<string, number>;
} {
  const counted = new Map<string, number>();
  const ingest: Ingest = { submit: () => Promise.reject(err), close: async () => undefined };
  // The ingest RPCs connect-node and the gRPC fast path both serve.
  const service = createIngestHandlers({
    ingest,
    sha256: nativeSha256,
    timeoutMs: 1000,
    limits: { maxItemsPerRequest: 10 },
    onSubmission: (result: string, count = 1) => counted.set(result, (counted.get(result) ?? 0) + count),
  } as unknown as ProcessorDeps);
  const submitBatch = async (items: Uint8Array[]) =>
    await service.submitBatch(
      create(SubmitBatchRequestSchema, {
        items: items.map((value) => ({ payload: { case: 'digest' as const, value } })),
      }),
    );
  return { submitBatch, counted };
}

const items = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(5)];

test('a SubmitBatch refused while shutting down counts each of its items as shutting_down', async () => {
  const s = serviceRefusingWith(new RequestError('SHUTTING_DOWN', 'server is shutting down'));
  await assert.rejects(s.submitBatch(items), /shutting down/);
  assert.deepEqual([...s.counted], [['shutting_down', 3]]);
});

test('a SubmitBatch whose write failed counts each item as error; too many items counts each as too_many_items', async () => {
  const s = serviceRefusingWith(new Error('disk full'));
  await assert.rejects(s.submitBatch(items));
  await assert.rejects(s.submitBatch(Array.from({ length: 11 }, () => new Uint8Array(32))), /11/);
  assert.deepEqual(
    [...s.counted],
    [
      ['error', 3],
      ['too_many_items', 11],
    ],
  );
});
