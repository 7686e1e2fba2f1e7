// spark.v1.SparkAdmin handlers: operator actions.
import type { ServiceImpl } from '@connectrpc/connect';
import type { KeyRing } from '../batch/key-ring.ts';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import { decodeHeader } from '../bundle/header.ts';
import type { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import type { Store } from '../store/store.ts';
import { toKeyRecord } from './convert.ts';
import { toConnectError } from './error-map.ts';

/** What the admin service acts on. */
export interface AdminDeps {
  readonly scheduler: SealScheduler;
  readonly keys: Pick<KeyRing, 'rotate'>;
  readonly store: Pick<Store, 'keyHistory'>;
}

/** Creates the SparkAdmin implementation. */
export function createAdminService(d: AdminDeps): ServiceImpl<typeof SparkAdmin> {
  return {
    async sealNow() {
      try {
        const batches = await d.scheduler.sealNow();
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

    async rotateKey() {
      try {
        const entry = await d.keys.rotate('requested');
        return {
          key: toKeyRecord(entry),
          previousKeyId: entry.previousKeyId,
          generation: entry.generation,
        };
      } catch (err) {
        throw toConnectError(err);
      }
    },
  };
}
