// GetUsage's inputs: a client name that cannot be one, a time past what a date holds, and a damaged fee split are
// refused with their gRPC code naming the field or record; a good request reports the store's rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { createAdminService } from '../../src/service/admin-service.ts';
import type { Store } from '../../src/store/store.ts';
import { encodeFeeSplit } from '../../src/usage/fee-split.ts';

type UsageStore = Pick<Store, 'keyHistory' | 'usage' | 'listDocs' | 'creditBalances'>;

function service(docs: Array<{ key: string; value: Uint8Array }> = []) {
  const store: UsageStore = {
    keyHistory: () => [],
    usage: (q) =>
      [{ client: 'alice', day: 20_000, submissions: 3, immediate: 1 }].filter(
        (r) => q?.client === undefined || r.client === q.client,
      ),
    listDocs: () => docs,
    creditBalances: () => [],
  };
  const unused = () => {
    throw new Error('not used by GetUsage');
  };
  return createAdminService({
    scheduler: { sealNow: unused } as never,
    keys: { rotate: unused },
    store,
    clients: new Map([['bob', { daily: 5 }]]),
    now: () => 20_000 * 86_400_000 + 1,
  });
}

const refused = (code: Code, field: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof ConnectError, String(err));
  assert.equal(err.code, code);
  assert.match(err.rawMessage, message);
  if (field !== '') assert.match(err.rawMessage, new RegExp(field));
  return true;
};

test('GetUsage refuses a client name with control characters or over 255 bytes, naming client', async () => {
  const s = service();
  for (const client of ['a\u0000b', '\u001b[2J', 'x'.repeat(256)])
    await assert.rejects(
      Promise.resolve(s.getUsage({ client, sinceMs: 0n, untilMs: 0n } as never, {} as never)),
      refused(Code.InvalidArgument, 'client', /not a client name/),
    );
});

test('GetUsage refuses times past the year 275760, naming since_ms/until_ms', async () => {
  await assert.rejects(
    Promise.resolve(
      service().getUsage({ client: '', sinceMs: 2n ** 63n, untilMs: 0n } as never, {} as never),
    ),
    refused(Code.InvalidArgument, 'since_ms', /past the year 275760/),
  );
});

test('a fee split that does not decode is DATA_LOSS naming the record', async () => {
  const s = service([{ key: '00000000000000000007', value: new TextEncoder().encode('{"broken":') }]);
  await assert.rejects(
    Promise.resolve(s.getUsage({ client: '', sinceMs: 0n, untilMs: 0n } as never, {} as never)),
    refused(Code.DataLoss, '', /usage-fees\/00000000000000000007 is corrupt/),
  );
});

test('a good request: the store rows, the tokens file clients, the fee splits', async () => {
  const split = encodeFeeSplit({
    sequence: 7n,
    atMs: 20_000 * 86_400_000 + 5,
    immediate: false,
    fee: 100n,
    shares: [{ client: 'alice', anchorFee: 100n, feePaid: 100n }],
  });
  const res = await service([{ key: '00000000000000000007', value: split }]).getUsage(
    { client: '', sinceMs: 0n, untilMs: 0n } as never,
    {} as never,
  );
  assert.deepEqual(
    res.clients?.map((c) => [
      c.client,
      Number(c.submissions),
      Number(c.feePaidMicroXym),
      Number(c.quotaDaily),
    ]),
    [
      ['alice', 3, 100, 0],
      ['bob', 0, 0, 5],
    ],
  );
  assert.equal(res.feesRecordedMicroXym, 100n);
});
