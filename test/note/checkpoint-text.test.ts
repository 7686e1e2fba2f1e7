// Checkpoint note text: canonical round trips, the C2SP examples, log origins, and every refusal reason.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  type CheckpointText,
  checkOrigin,
  formatCheckpointText,
  LOG_ORIGIN_PREFIX,
  logOrigin,
  MAX_TREE_SIZE,
  parseCheckpointText,
} from '../../src/proof/note/checkpoint-text.ts';
import { ARMORED_WITNESS, C2SP_COSIGNED_CHECKPOINT, TORCHWOOD_ML_DSA_44 } from './public-vectors.ts';

const ROOT = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';

/** A parsed checkpoint, or a failed assertion with the reason. */
function parsed(text: string): CheckpointText {
  const c = parseCheckpointText(text);
  if (typeof c === 'string') assert.fail(`refused: ${c}`);
  return c;
}

/** The reason `text` is refused (fails when it is accepted). */
function refusal(text: string): string {
  const c = parseCheckpointText(text);
  if (typeof c !== 'string') assert.fail('accepted');
  return c;
}

describe('parseCheckpointText and formatCheckpointText', () => {
  test('the C2SP example checkpoint: origin, size, root, no extensions, and back byte for byte', () => {
    const c = parsed(C2SP_COSIGNED_CHECKPOINT.text);
    assert.equal(c.origin, 'example.com/behind-the-sofa');
    assert.equal(c.size, 20852163n);
    assert.deepEqual(Buffer.from(c.root), Buffer.from(ROOT, 'base64'));
    assert.deepEqual(c.extensions, []);
    assert.equal(formatCheckpointText(c), C2SP_COSIGNED_CHECKPOINT.text);
  });

  test('the published checkpoints of the Armored Witness distributor and torchwood parse and format back', () => {
    for (const text of [ARMORED_WITNESS.pixel.text, ARMORED_WITNESS.ci3.text, TORCHWOOD_ML_DSA_44.text]) {
      assert.equal(formatCheckpointText(parsed(text)), text);
    }
  });

  test('extension lines are kept in order', () => {
    const text = `log.example/1\n5\n${ROOT}\nfirst extension\n— second ✓\n`;
    const c = parsed(text);
    assert.deepEqual(c.extensions, ['first extension', '— second ✓']);
    assert.equal(formatCheckpointText(c), text);
  });

  test('sizes 0 and 2^64-1 are accepted', () => {
    assert.equal(parsed(`o\n0\n${ROOT}\n`).size, 0n);
    assert.equal(parsed(`o\n18446744073709551615\n${ROOT}\n`).size, MAX_TREE_SIZE);
  });

  test('random checkpoints round-trip', () => {
    for (let i = 0; i < 100; i++) {
      const c: CheckpointText = {
        origin: logOrigin(new Uint8Array(randomBytes(32))),
        size: randomBytes(8).readBigUInt64BE(0) >> BigInt(i % 64),
        root: new Uint8Array(randomBytes(32)),
        extensions: Array.from({ length: i % 3 }, (_, j) => `ext ${j} ${i}`),
      };
      assert.deepEqual(parsed(formatCheckpointText(c)), c);
    }
  });
});

describe('parseCheckpointText refuses with a reason', () => {
  const cases: [string, string, RegExp][] = [
    ['no trailing newline', `o\n1\n${ROOT}`, /^checkpoint text does not end with a newline$/],
    ['two lines', 'o\n1\n', /^checkpoint text has fewer than three lines$/],
    ['empty text', '', /does not end with a newline/],
    ['an empty origin', `\n1\n${ROOT}\n`, /^empty origin$/],
    [
      'a space in the origin (as sum.golang.org\'s "go.sum database tree")',
      `go.sum database tree\n1\n${ROOT}\n`,
      /^origin contains a Unicode space$/,
    ],
    ['a no-break space in the origin', `a\u00a0b\n1\n${ROOT}\n`, /^origin contains a Unicode space$/],
    ['a "+" in the origin', `a+b\n1\n${ROOT}\n`, /^origin contains '\+'$/],
    ['a tab', `o\t\n1\n${ROOT}\n`, /^control character U\+0009/],
    ['a carriage return', `o\r\n1\n${ROOT}\r\n`, /^control character U\+000D/],
    ['a lone surrogate', `o\ud800\n1\n${ROOT}\n`, /^invalid UTF-8/],
    ['a leading zero', `o\n01\n${ROOT}\n`, /^tree size must be a decimal number without leading zeros$/],
    ['"00"', `o\n00\n${ROOT}\n`, /without leading zeros/],
    ['a sign', `o\n+1\n${ROOT}\n`, /without leading zeros/],
    ['a negative size', `o\n-1\n${ROOT}\n`, /without leading zeros/],
    ['an exponent', `o\n1e3\n${ROOT}\n`, /without leading zeros/],
    ['a space before the size', `o\n 1\n${ROOT}\n`, /without leading zeros/],
    ['an empty size', `o\n\n${ROOT}\n`, /without leading zeros/],
    ['non-ASCII digits', `o\n١\n${ROOT}\n`, /without leading zeros/],
    ['2^64', `o\n18446744073709551616\n${ROOT}\n`, /^tree size does not fit in 64 bits$/],
    ['21 digits', `o\n100000000000000000000\n${ROOT}\n`, /without leading zeros/],
    ['a root without padding', `o\n1\n${ROOT.slice(0, -1)}\n`, /^root hash is not canonical base64$/],
    [
      'a non-canonical root (padding bits set)',
      `o\n1\n${ROOT.replace('q2I=', 'q2J=')}\n`,
      /^root hash is not canonical base64$/,
    ],
    ['a base64url root', `o\n1\n${ROOT.replace('/', '_')}\n`, /^root hash is not canonical base64$/],
    [
      'a 31-byte root',
      `o\n1\n${Buffer.alloc(31).toString('base64')}\n`,
      /^root hash must be 32 bytes, got 31$/,
    ],
    [
      'a 33-byte root',
      `o\n1\n${Buffer.alloc(33).toString('base64')}\n`,
      /^root hash must be 32 bytes, got 33$/,
    ],
    ['an empty root', `o\n1\n\n`, /^root hash must be 32 bytes, got 0$/],
    ['an empty extension line', `o\n1\n${ROOT}\next\n\n`, /^extension line 2 is empty$/],
    ['a note with its signatures', `o\n1\n${ROOT}\n\n\u2014 o AAAAAAA=\n`, /^extension line 1 is empty$/],
    ['over 1 MiB', `o\n1\n${ROOT}\n${'x'.repeat(1024 * 1024)}\n`, /^note over 1048576 bytes$/],
  ];
  for (const [what, text, reason] of cases) {
    test(what, () => assert.match(refusal(text), reason));
  }

  test('throws RangeError on a non-string', () => {
    assert.throws(() => parseCheckpointText(null as unknown as string), RangeError);
  });
});

describe('formatCheckpointText refuses what could not be parsed back', () => {
  const ok: CheckpointText = { origin: 'o', size: 1n, root: new Uint8Array(32), extensions: [] };
  const bad: [string, CheckpointText][] = [
    ['an origin with a space', { ...ok, origin: 'a b' }],
    ['an empty origin', { ...ok, origin: '' }],
    ['a negative size', { ...ok, size: -1n }],
    ['a size of 2^64', { ...ok, size: MAX_TREE_SIZE + 1n }],
    ['a number size', { ...ok, size: 1 as unknown as bigint }],
    ['a 31-byte root', { ...ok, root: new Uint8Array(31) }],
    ['an empty extension', { ...ok, extensions: [''] }],
    ['an extension with a newline', { ...ok, extensions: ['a\nb'] }],
    ['an extension with a control character', { ...ok, extensions: ['a\u0007'] }],
  ];
  for (const [what, c] of bad) test(what, () => assert.throws(() => formatCheckpointText(c), RangeError));
});

describe('logOrigin', () => {
  test('is "spark-processor/log/" and the 64 lower-case hex digits of the log ID', () => {
    const id = Uint8Array.from({ length: 32 }, (_, i) => i * 8);
    const origin = logOrigin(id);
    assert.equal(origin, `spark-processor/log/${Buffer.from(id).toString('hex')}`);
    assert.ok(origin.startsWith(LOG_ORIGIN_PREFIX));
    assert.match(origin, /^spark-processor\/log\/[0-9a-f]{64}$/);
    assert.equal(checkOrigin(origin), undefined);
  });

  test('throws RangeError for a log ID that is not 32 bytes', () => {
    assert.throws(() => logOrigin(new Uint8Array(31)), RangeError);
    assert.throws(() => logOrigin('00' as unknown as Uint8Array), RangeError);
  });
});
