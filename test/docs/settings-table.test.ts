// The README's settings table is generated from the rows of src/config/settings/*.ts (src/config/settings-doc.ts lists
// the concerns in order): it must equal what the rows render, and
// every setting config.ts reads must have exactly one row (a new setting without documentation fails here).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { README_PATH, withSettingsTable } from '../../src/build/settings-table.ts';
import { SETTINGS } from '../../src/config/config.ts';
import { SETTING_DOCS, settingsTable } from '../../src/config/settings-doc.ts';

test('README.md holds exactly the generated settings table (npm run docs:settings writes it)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  assert.equal(withSettingsTable(readme, settingsTable()), readme);
  // And the comparison can fail: a README with a row changed by hand differs from the generated one.
  const edited = readme.replace('| `SPARK_LOG_LEVEL` | `info` |', '| `SPARK_LOG_LEVEL` | `debug` |');
  assert.notEqual(edited, readme);
  assert.notEqual(withSettingsTable(edited, settingsTable()), edited);
});

test('every setting has exactly one row, and every row names its settings in its first cell', () => {
  const rows = new Map<string, number>();
  for (const d of SETTING_DOCS) {
    assert.ok(d.settings.length > 0, d.variable);
    for (const s of d.settings) {
      rows.set(s, (rows.get(s) ?? 0) + 1);
      assert.ok(d.variable.includes(`\`${s}\``), `${s} in ${d.variable}`);
    }
    for (const cell of [d.variable, d.default, d.meaning]) assert.ok(!cell.includes('\n'), d.variable);
  }
  const missing = SETTINGS.filter((s) => !rows.has(s));
  assert.deepEqual(missing, [], 'settings without a row in src/config/settings/');
  assert.deepEqual(
    [...rows].filter(([, n]) => n > 1).map(([s]) => s),
    [],
    'settings in more than one row',
  );
});
