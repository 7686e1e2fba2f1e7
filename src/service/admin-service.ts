// spark.v1.SparkAdmin handlers: operator actions.
import type { ServiceImpl } from '@connectrpc/connect';
import type { KeyRing } from '../batch/key-ring.ts';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import { RequestError } from '../errors/request-error.ts';
import type { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import type { Store } from '../store/store.ts';
import { StoreError } from '../store/store-error.ts';
import { decodeFeeSplit } from '../usage/fee-split.ts';
import { buildUsageReport } from '../usage/report.ts';
import { type ClientQuota, dayOf, isClientName } from '../usage/usage.ts';
import { creditMessageOf, toKeyRecord } from './convert.ts';
import { toConnectError } from './error-map.ts';

/** What the admin service acts on. */
export interface AdminDeps {
  readonly scheduler: SealScheduler;
  readonly keys: Pick<KeyRing, 'rotate'>;
  readonly store: Pick<Store, 'keyHistory' | 'usage' | 'listDocs' | 'creditBalances'>;
  /** Clients of the tokens file and their quotas: listed in GetUsage even without usage. */
  readonly clients?: ReadonlyMap<string, ClientQuota | undefined> | undefined;
  /** With prepaid credit on: what one submission of `client` costs, µXYM; absent: credit is off. */
  readonly creditPriceOf?: ((client: string, immediate: boolean) => bigint) | undefined;
  readonly now?: (() => number) | undefined;
}

/** A time of GetUsageRequest as a UTC day; undefined for 0 (open). */
function dayOfRequest(ms: bigint): number | undefined {
  if (ms === 0n) return undefined;
  if (ms > 8_640_000_000_000_000n)
    throw new RequestError('FIELD_INVALID', 'since_ms/until_ms: past the year 275760');
  return dayOf(Number(ms));
}

/** Creates the SparkAdmin implementation. */
export function createAdminService(d: AdminDeps): ServiceImpl<typeof SparkAdmin> {
  return {
    async sealNow() {
      try {
        const batches = await d.scheduler.sealNow();
        const last = batches[batches.length - 1];
        if (last === undefined) return { sealed: false };
        const fields = last.fields;
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

    async getUsage(req) {
      try {
        if (req.client !== '' && !isClientName(req.client))
          throw new RequestError(
            'FIELD_INVALID',
            'client: not a client name (1–255 bytes, no control characters)',
            {
              field: 'client',
            },
          );
        const splits = d.store.listDocs('usage-fees').map((doc) => {
          try {
            return decodeFeeSplit(doc.value);
          } catch (err) {
            throw new StoreError(
              'CORRUPT',
              `store record usage-fees/${doc.key} is corrupt: ${(err as Error).message}`,
            );
          }
        });
        const priceOf = d.creditPriceOf;
        const credits = new Map(
          (priceOf === undefined
            ? []
            : d.store.creditBalances(req.client === '' ? undefined : req.client)
          ).map((c) => [c.client, c]),
        );
        // A client that topped up and never submitted is listed too.
        const known = new Map(d.clients ?? []);
        for (const client of credits.keys()) if (!known.has(client)) known.set(client, undefined);
        const report = buildUsageReport(
          d.store.usage(req.client === '' ? {} : { client: req.client }),
          splits,
          {
            fromDay: dayOfRequest(req.sinceMs),
            toDay: dayOfRequest(req.untilMs),
            client: req.client === '' ? undefined : req.client,
            known,
            nowMs: (d.now ?? Date.now)(),
          },
        );
        return {
          clients: report.clients.map((c) => ({
            client: c.client,
            submissions: BigInt(c.submissions),
            immediate: BigInt(c.immediate),
            feePaidMicroXym: c.feePaid,
            anchorFeeMicroXym: c.anchorFee,
            batches: BigInt(c.batches),
            quotaDaily: BigInt(c.quota?.daily ?? 0),
            quotaMonthly: BigInt(c.quota?.monthly ?? 0),
            quotaImmediateDaily: BigInt(c.quota?.immediateDaily ?? 0),
            today: BigInt(c.today),
            thisMonth: BigInt(c.thisMonth),
            immediateToday: BigInt(c.immediateToday),
            ...(priceOf === undefined
              ? {}
              : { credit: creditMessageOf(c.client, credits.get(c.client), priceOf) }),
          })),
          feesRecordedMicroXym: report.feesRecorded,
          batches: BigInt(report.batches),
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
