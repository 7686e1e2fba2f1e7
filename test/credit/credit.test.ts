// The pure rules of prepaid credit: which transfer messages top up whom, what a submission costs, and the refusal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import {
  balanceOf,
  checkCredit,
  creditClientOf,
  creditMemo,
  creditMessage,
  submissionPrice,
} from '../../src/credit/credit.ts';

const plain = (text: string) => Uint8Array.from([0, ...new TextEncoder().encode(text)]);

test('a top-up message is a plain message of exactly spark-credit: and a client name', () => {
  assert.equal(creditClientOf(plain('spark-credit:alice')), 'alice');
  assert.equal(creditClientOf(plain('spark-credit:Ünïcode name')), 'Ünïcode name');
  assert.deepEqual(creditMemo('alice'), plain('spark-credit:alice'));
  assert.equal(creditClientOf(creditMemo('bob@example')), 'bob@example');
  for (const [why, message] of [
    ['no plain-message byte', new TextEncoder().encode('spark-credit:alice')],
    [
      'an encrypted message (type 1)',
      Uint8Array.from([1, ...new TextEncoder().encode('spark-credit:alice')]),
    ],
    ['empty', new Uint8Array(0)],
    ['no name', plain('spark-credit:')],
    ['another prefix', plain('Spark-credit:alice')],
    ['text before it', plain('pay spark-credit:alice')],
    ['a control character in the name', plain('spark-credit:al\nice')],
    ['a name over 255 bytes', plain(`spark-credit:${'a'.repeat(256)}`)],
    ['not UTF-8', Uint8Array.from([0, ...new TextEncoder().encode('spark-credit:'), 0xff, 0xfe])],
  ] as const) {
    assert.equal(creditClientOf(message), undefined, why);
  }
});

test('a submission costs the price, an immediate one the price times the multiplier', () => {
  assert.equal(submissionPrice(1_000n, false, 3), 1_000n);
  assert.equal(submissionPrice(1_000n, true, 3), 3_000n);
  assert.equal(submissionPrice(0n, true, 3), 0n);
});

test('a balance that does not cover the price is refused with both amounts in XYM', () => {
  assert.equal(checkCredit(3_000n, 3_000n), undefined);
  assert.deepEqual(checkCredit(2_999n, 3_000n), { balance: 2_999n, needs: 3_000n });
  assert.equal(balanceOf({ credited: 10n, spent: 4n }), 6n);
  assert.equal(balanceOf({ credited: 0n, spent: 0n }), 0n);
  assert.equal(
    creditMessage('alice', { balance: 500n, needs: 1_500_000n }),
    "credit: balance 0.0005 XYM, needs 1.5 XYM (client alice; top up with a transfer to the operator's Symbol account with the message spark-credit:alice)",
  );
});

test('SPARK_CREDIT_PRICE: XYM with up to 6 decimals, in µXYM; it needs a Symbol node to read top-ups from', () => {
  const node = { SYMBOL_NODE_URL: 'http://127.0.0.1:3000' };
  assert.equal(loadConfig({ ...node }).creditPrice, undefined, 'off unless set');
  assert.equal(loadConfig({ ...node, SPARK_CREDIT_PRICE: '0.001' }).creditPrice, 1_000n);
  assert.equal(loadConfig({ ...node, SPARK_CREDIT_PRICE: '2' }).creditPrice, 2_000_000n);
  const refused = (env: Record<string, string>, problem: RegExp) =>
    assert.throws(
      () => loadConfig(env),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues.some((i) => i.setting === 'SPARK_CREDIT_PRICE' && problem.test(i.problem)),
    );
  refused({ SPARK_CREDIT_PRICE: '0.001' }, /set SYMBOL_NODE_URL/);
  refused({ ...node, SPARK_CREDIT_PRICE: '0.0000001' }, /not an amount of XYM/);
  refused({ ...node, SPARK_CREDIT_PRICE: '-1' }, /not an amount of XYM/);
});
