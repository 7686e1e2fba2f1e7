// `npm run docs:settings`: writes the README's Configuration table from src/config/settings-doc.ts, between its
// two marker comments (test/docs/settings-table.test.ts fails while the README differs).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsTable } from '../config/settings-doc.ts';

/** The README's path. */
export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));
const START = /<!-- settings table: [^\n]*-->\n/;
const END = '\n<!-- end of settings table -->';

/** `readme` with its settings table replaced by `table`; throws when the markers are missing. */
export function withSettingsTable(readme: string, table: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (start === null || end < start.index)
    throw new Error('README.md: the settings table markers are missing');
  return `${readme.slice(0, start.index + start[0].length)}${table}${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README_PATH, 'utf8');
  const next = withSettingsTable(readme, settingsTable());
  if (next !== readme) writeFileSync(README_PATH, next);
  process.stdout.write(
    next === readme ? 'README.md: settings table up to date\n' : 'README.md: settings table written\n',
  );
}
