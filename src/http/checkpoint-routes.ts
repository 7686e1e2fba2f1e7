// Note-based clients' view of the header log on the HTTP port: GET /checkpoint (the signed note with its
// cosignatures) and GET /consistency?old=N&new=M (base64 hashes, one a line) (docs/witnesses.md §HTTP).
import type { CheckpointNotes } from '../cosign/checkpoint-notes.ts';
import { noteOf } from '../cosign/checkpoint-notes.ts';
import { type HttpRoute, sendJson } from './http-server.ts';

function sendText(res: Parameters<HttpRoute['handle']>[1], body: string): void {
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sizeParam(url: URL, name: string): bigint | string {
  const raw = url.searchParams.get(name);
  if (raw === null) return `${name}: required (a tree size in decimal)`;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(raw)) return `${name}: "${raw.slice(0, 40)}" is not a decimal size`;
  return BigInt(raw);
}

/** The two routes over `notes`. */
export function checkpointRoutes(notes: CheckpointNotes): HttpRoute[] {
  return [
    {
      path: '/checkpoint',
      methods: ['GET'],
      async handle(_req, res) {
        const note = await notes.latest();
        if (note === undefined) {
          sendJson(res, 404, { error: 'NO_CHECKPOINT', message: 'no batch has been sealed yet' });
          return;
        }
        sendText(res, noteOf(note));
      },
    },
    {
      path: '/consistency',
      methods: ['GET'],
      handle(_req, res, url) {
        const oldSize = sizeParam(url, 'old');
        const newSize = sizeParam(url, 'new');
        for (const v of [oldSize, newSize]) {
          if (typeof v === 'string') {
            sendJson(res, 400, { error: 'FIELD_INVALID', message: v });
            return;
          }
        }
        try {
          const proof = notes.consistencyProof(oldSize as bigint, newSize as bigint);
          sendText(res, proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join(''));
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          sendJson(res, 400, { error: 'FIELD_INVALID', message: err.message });
        }
      },
    },
  ];
}
