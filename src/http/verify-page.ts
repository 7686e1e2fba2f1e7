// GET /verify on the HTTP port: the self-contained web verifier page (web/dist/verify.html, built by
// `npm run build:web` and committed), with the same Content-Security-Policy as its meta tag sent as a header.
import { readFileSync } from 'node:fs';
import type { HttpRoute } from './http-server.ts';

/** The committed page. */
export const VERIFY_PAGE_FILE = new URL('../../web/dist/verify.html', import.meta.url);

/** The /verify route, or undefined (with the reason) when the page file is missing from this install. */
export function verifyPageRoute(file: URL = VERIFY_PAGE_FILE): HttpRoute | string {
  let page: Buffer;
  try {
    page = readFileSync(file);
  } catch (err) {
    return `web verifier page not found (${(err as NodeJS.ErrnoException).code ?? 'error'}): run npm run build:web`;
  }
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page.toString('utf8'))?.[1];
  if (csp === undefined) return 'web verifier page has no Content-Security-Policy';
  return {
    path: '/verify',
    methods: ['GET'],
    handle(req, res) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': page.length,
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : page);
    },
  };
}
