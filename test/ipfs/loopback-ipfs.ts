// Test doubles of the two IPFS APIs the publishers call, on 127.0.0.1 (test helpers). Both validate requests as
// strictly as the real services: Kubo's RPC `block/put` (POST, query cid-codec=raw&mhtype=sha2-256&pin=true,
// multipart body with one file) and the IPFS Pinning Services API (`POST /pins`, `GET /pins/{requestid}`, bearer
// token). Kubo computes the CID of the bytes it received, so a wrong byte gives a wrong Key, as with the real node.
// Faults are scripted per call: an HTTP status, or holding the request without an answer.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

/** A scripted answer for the next call: a failure status, or no answer at all ("hang"). */
export type Fault = number | 'hang';

/** A running double. */
export interface LoopbackIpfs {
  readonly url: string;
  /** Calls seen, in order ("POST /api/v0/block/put", …). */
  readonly calls: string[];
  /** CIDs stored (Kubo) or pinned (pinning), with their bytes for Kubo. */
  readonly stored: Map<string, Uint8Array | undefined>;
  /** Faults for the next calls, consumed in order. */
  readonly faults: Fault[];
  /** Requests refused as malformed, with the reason. */
  readonly refused: string[];
  close(): Promise<void>;
}

const rawCid = (bytes: Uint8Array): string =>
  CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString();

async function body(req: http.IncomingMessage, max = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function start(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, state: LoopbackIpfs) => Promise<void>,
): Promise<LoopbackIpfs> {
  const held = new Set<http.ServerResponse>();
  const state = { calls: [] as string[], stored: new Map(), faults: [] as Fault[], refused: [] as string[] };
  const server = http.createServer((req, res) => {
    state.calls.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const fault = state.faults.shift();
    if (fault === 'hang') {
      held.add(res);
      return;
    }
    if (typeof fault === 'number') {
      res.writeHead(fault, { 'content-type': 'text/plain' });
      res.end(`scripted failure ${fault}`);
      return;
    }
    handle(req, res, self).catch((err: unknown) => {
      state.refused.push(String(err));
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  let self: LoopbackIpfs;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      self = {
        url: `http://127.0.0.1:${port}`,
        ...state,
        close: () =>
          new Promise<void>((done) => {
            for (const r of held) r.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      };
      resolve(self);
    });
  });
}

/** Kubo's RPC, block/put only. */
export function startLoopbackKubo(): Promise<LoopbackIpfs> {
  return start(async (req, res, state) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || url.pathname !== '/api/v0/block/put') {
      res.writeHead(404).end();
      return;
    }
    const q = url.searchParams;
    if (q.get('cid-codec') !== 'raw' || q.get('mhtype') !== 'sha2-256' || q.get('pin') !== 'true') {
      throw new Error(`block/put: unexpected query ${url.search}`);
    }
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data; boundary='))
      throw new Error(`block/put: content-type ${type}`);
    const form = await new Response(await body(req), { headers: { 'content-type': type } }).formData();
    const files = [...form.values()].filter((v): v is File => typeof v !== 'string');
    if (files.length !== 1) throw new Error(`block/put: ${files.length} files in the form`);
    const bytes = new Uint8Array(await (files[0] as File).arrayBuffer());
    const cid = rawCid(bytes);
    state.stored.set(cid, bytes);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ Key: cid, Size: bytes.length }));
  });
}

/** The Pinning Services API: a pin is "queued", then "pinning" for `pollsUntilPinned` polls, then "pinned". */
export function startLoopbackPinning(
  token: string,
  o: { pollsUntilPinned?: number; fail?: boolean } = {},
): Promise<LoopbackIpfs> {
  const pins = new Map<string, { cid: string; polls: number }>();
  let next = 0;
  return start(async (req, res, state) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { reason: 'UNAUTHORIZED', details: 'bad token' } }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/pins') {
      const pin = JSON.parse((await body(req, 64 * 1024)).toString()) as { cid?: unknown; name?: unknown };
      if (typeof pin.cid !== 'string') throw new Error('POST /pins: no cid');
      CID.parse(pin.cid);
      const requestid = `req-${++next}`;
      pins.set(requestid, { cid: pin.cid, polls: 0 });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          requestid,
          status: 'queued',
          created: new Date().toISOString(),
          pin,
          delegates: [],
        }),
      );
      return;
    }
    const m = /^\/pins\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m !== null) {
      const p = pins.get(decodeURIComponent(m[1] as string));
      if (p === undefined) {
        res.writeHead(404).end();
        return;
      }
      p.polls++;
      const status = o.fail ? 'failed' : p.polls > (o.pollsUntilPinned ?? 1) ? 'pinned' : 'pinning';
      if (status === 'pinned') state.stored.set(p.cid, undefined);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requestid: m[1], status, pin: { cid: p.cid }, delegates: [] }));
      return;
    }
    res.writeHead(404).end();
  });
}
