// The IPFS trustless gateway for published bundles (docs/ipfs.md; IPFS Trustless Gateway spec, raw blocks only):
// GET/HEAD /ipfs/{cid} with ?format=raw or Accept: application/vnd.ipld.raw answers the exact bytes whose
// sha2-256 is in the CID, so any client can check them without trusting this server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpRoute, sendJson } from '../http/http-server.ts';
import { EMPTY_IDENTITY_CID, parseServableCid } from './cid.ts';

/** The media type of a raw block. */
export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw';

/** Whether the request asks for a raw block: `?format=raw`, or an Accept naming the raw type (or a wildcard
 * with no format asked). Returns a reason when it asks for another format this gateway does not serve. */
function wantsRaw(req: IncomingMessage, url: URL): true | string {
  const format = url.searchParams.get('format');
  if (format !== null)
    return format === 'raw' ? true : `format "${format.slice(0, 20)}" is not served: only raw`;
  const accept = req.headers.accept ?? '';
  const types = accept
    .split(',')
    .map((t) => t.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((t) => t !== '');
  if (types.includes(RAW_BLOCK_TYPE)) return true;
  return `ask for ${RAW_BLOCK_TYPE} (Accept header) or ?format=raw: this gateway serves raw blocks only`;
}

/** The /ipfs/ route over `bytesOf` (the published bytes by CID string, or undefined). */
export function gatewayRoute(bytesOf: (cid: string) => Uint8Array | undefined): HttpRoute {
  return {
    path: '/ipfs/',
    methods: ['GET'],
    handle(req: IncomingMessage, res: ServerResponse, url: URL) {
      const rest = url.pathname.slice('/ipfs/'.length);
      if (rest.includes('/')) {
        sendJson(res, 400, { error: 'paths inside a CID are not served: raw blocks have none' });
        return;
      }
      const parsed = parseServableCid(rest);
      if (typeof parsed === 'string') {
        sendJson(res, 400, { error: `${rest.slice(0, 100)}: ${parsed}` });
        return;
      }
      const want = wantsRaw(req, url);
      if (want !== true) {
        sendJson(res, 406, { error: want });
        return;
      }
      const cid = parsed.kind === 'empty-identity' ? EMPTY_IDENTITY_CID : parsed.cid;
      const bytes = parsed.kind === 'empty-identity' ? new Uint8Array(0) : bytesOf(parsed.cid);
      if (bytes === undefined) {
        sendJson(res, 404, { error: `${cid} is not published here` });
        return;
      }
      const etag = `"${cid}.raw"`;
      const headers = {
        'content-type': RAW_BLOCK_TYPE,
        'content-length': bytes.length,
        etag,
        'cache-control': 'public, max-age=29030400, immutable',
        'x-content-type-options': 'nosniff',
        'x-ipfs-path': `/ipfs/${cid}`,
        'x-ipfs-roots': cid,
        'content-disposition': `attachment; filename="${cid}.bin"`,
        vary: 'Accept',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': headers['cache-control'] });
        res.end();
        return;
      }
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : bytes);
    },
  };
}
