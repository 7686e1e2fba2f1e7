// Builds web/dist/verify.html: the page of web/index.html with the verifier (web/src/verify-page.ts and the
// library it imports from src/) bundled by esbuild and inlined, its CSS inlined, and a Content-Security-Policy
// that admits exactly those two inline blocks (by hash) and no connection of any kind. One self-contained file:
// it works served by the sidecar at /verify and opened from disk. The output is committed; a test rebuilds it and
// requires identical bytes. Run: `npm run build:web`.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Where the built page is written. */
export const VERIFY_PAGE_PATH = here('./dist/verify.html');

const hash = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The page's CSP for inline `script` and `style` contents. */
export function pageCsp(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Builds the page in memory. */
export async function buildVerifyPage(): Promise<string> {
  const result = await build({
    entryPoints: [here('./src/verify-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const js = (result.outputFiles[0]?.text ?? '').replaceAll('</script', '<\\/script').trim();
  const css = readFileSync(here('./src/verify-page.css'), 'utf8').trim();
  const template = readFileSync(here('./index.html'), 'utf8');
  return template
    .replace('__CSP__', pageCsp(js, css))
    .replace('<!--INLINE-CSS-->', () => `<style>${css}</style>`)
    .replace('<!--INLINE-JS-->', () => `<script>${js}</script>`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const page = await buildVerifyPage();
  writeFileSync(VERIFY_PAGE_PATH, page);
  console.log(`web/dist/verify.html: ${page.length} bytes`);
}
