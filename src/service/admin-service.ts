// spark.v1.SparkAdmin handlers: operator actions.
import type { ServiceImpl } from '@connectrpc/connect';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import { decodeHeader } from '../bundle/header.ts';
import type { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import { toConnectError } from './error-map.ts';

/** Creates the SparkAdmin implementation. */
export function createAdminService(scheduler: SealScheduler): ServiceImpl<typeof SparkAdmin> {
  return {
    async sealNow() {
      try {
        const batches = await scheduler.sealNow();
        const last = batches[batches.length - 1];
        if (last === undefined) return { sealed: false };
        const fields = decodeHeader(last.header);
        if (typeof fields === 'string') throw new Error(`sealed header does not decode: ${fields}`);
        return {
          sealed: true,
          sequence: last.sequence,
          treeSize: BigInt(last.treeSize),
          root: fields.root,
          headerHash: last.headerHash,
        };
      } catch (err) {
        throw toConnectError(err);
      }
    },
  };
}
