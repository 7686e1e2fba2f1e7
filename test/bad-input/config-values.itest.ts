// Invalid configuration values (SPEC §11, §12): every setting gets every hostile value; loading either accepts it
// or answers a ConfigError naming that setting in one short printable line — never another exception. Then
// `spark serve` with many bad values at once exits 2 listing each, with no stack trace, before opening anything.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig, SETTINGS } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { runCli, tempDir } from '../support/spawn-server.ts';

/** Values that have broken parsers elsewhere: empty, signs, exponents, hex, overflow, control and odd characters. */
const HOSTILE: readonly string[] = [
  '',
  ' ',
  '-1',
  '0',
  '1e999',
  '0x10',
  '1.5',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '12abc',
  'true ',
  'yes',
  '../../../../etc/passwd',
  'a\u0000b',
  'line\nbreak\u001b[31m',
  '😀',
  '%s%s%n',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder is the hostile value
  '${HOME}',
  '127.0.0.1:99999',
  '[::1',
  'http://',
  'x'.repeat(100_000),
];

const dir = tempDir('spark-bad-config-');
after(() => dir.cleanup());

test(`every setting × ${HOSTILE.length} hostile values: accepted or one printable issue naming the setting`, () => {
  let refused = 0;
  let accepted = 0;
  for (const setting of SETTINGS) {
    for (const value of HOSTILE) {
      const env = { SPARK_DATA_DIR: join(dir.path, 'data'), [setting]: value };
      try {
        loadConfig(env);
        accepted++;
      } catch (e) {
        assert.ok(
          e instanceof ConfigError,
          `${setting}=${JSON.stringify(value.slice(0, 40))} threw ${String(e)}`,
        );
        refused++;
        const mine = e.issues.filter((i) => i.setting === setting);
        assert.ok(
          mine.length >= 1 || e.issues.every((i) => SETTINGS.includes(i.setting as never)),
          `issues name real settings: ${JSON.stringify(e.issues)}`,
        );
        for (const i of e.issues) {
          assert.ok(i.problem.length <= 340, `${setting}: problem kept short (${i.problem.length})`);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
          assert.doesNotMatch(i.problem, /[\u0000-\u001f\u007f]/, `${setting}: no control characters`);
        }
      }
    }
  }
  assert.ok(refused > SETTINGS.length, 'most hostile values are refused');
  console.log(
    `bad input: ${SETTINGS.length} settings × ${HOSTILE.length} values = ${SETTINGS.length * HOSTILE.length} configurations, ${refused} refused with a named setting, ${accepted} accepted`,
  );
  // Nothing was created while only validating.
  assert.equal(existsSync(join(dir.path, 'data')), false);
});

test('spark serve with many bad values exits 2, lists each setting once, and opens nothing', async () => {
  const dataDir = join(dir.path, 'serve-data');
  const r = await runCli(['serve', '--data-dir', dataDir], 30_000, {
    PQC_AGGREGATION_THRESHOLD: '-5',
    PQC_AGGREGATION_TIMEOUT: '1e999',
    PQC_IMMEDIATE_MODE: 'perhaps',
    SPARK_LISTEN: '127.0.0.1:99999',
    SPARK_HTTP_LISTEN: '[::1',
    SPARK_MAX_MESSAGE_BYTES: 'x'.repeat(100_000),
    SPARK_LOG_LEVEL: 'line\nbreak',
  });
  assert.equal(r.code, 2, r.stderr);
  for (const s of [
    'PQC_AGGREGATION_THRESHOLD',
    'PQC_AGGREGATION_TIMEOUT',
    'PQC_IMMEDIATE_MODE',
    'SPARK_LISTEN',
    'SPARK_HTTP_LISTEN',
    'SPARK_MAX_MESSAGE_BYTES',
    'SPARK_LOG_LEVEL',
  ]) {
    assert.match(r.stderr, new RegExp(`- ${s}: `), `${s} listed`);
  }
  assert.ok(
    r.stderr.length < 8_000,
    `the 100 000-character value is not echoed whole (${r.stderr.length} chars)`,
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(dataDir), false, 'no data dir was created');
});
