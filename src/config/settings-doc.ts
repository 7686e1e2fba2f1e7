// The settings as the README's Configuration table shows them: each concern's rows (src/config/settings/), concern
// by concern. README.md's table is generated from these rows (`npm run docs:settings`), and
// test/docs/settings-table.test.ts fails when the two differ or when a setting of config.ts has no row.
import { ANCHORING_SETTINGS } from './settings/anchoring.ts';
import { CHAINS_SETTINGS } from './settings/chains.ts';
import { GENERAL_SETTINGS } from './settings/general.ts';
import { HTTP_SETTINGS } from './settings/http.ts';
import { KEYS_SETTINGS } from './settings/keys.ts';
import { PUBLICATION_SETTINGS } from './settings/publication.ts';
import { SEALING_SETTINGS } from './settings/sealing.ts';
import type { SettingDoc } from './settings/table.ts';
import { TRANSPORT_SETTINGS } from './settings/transport.ts';
import { WITNESSES_SETTINGS } from './settings/witnesses.ts';

export type { SettingDoc } from './settings/table.ts';

/** The rows, in the order the README shows them: by concern, as a setting's table lists them. */
export const SETTING_DOCS: readonly SettingDoc[] = [
  ...TRANSPORT_SETTINGS.rows,
  ...HTTP_SETTINGS.rows,
  ...GENERAL_SETTINGS.rows,
  ...SEALING_SETTINGS.rows,
  ...KEYS_SETTINGS.rows,
  ...ANCHORING_SETTINGS.rows,
  ...PUBLICATION_SETTINGS.rows,
  ...CHAINS_SETTINGS.rows,
  ...WITNESSES_SETTINGS.rows,
];

/** The markdown table of `docs`. */
export function settingsTable(docs: readonly SettingDoc[] = SETTING_DOCS): string {
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...docs.map((d) => `| ${d.variable} | ${d.default} | ${d.meaning} |`),
  ].join('\n');
}
