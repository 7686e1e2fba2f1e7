// Asks one witness to cosign a checkpoint note over the tlog-witness protocol (POST /add-checkpoint), learning its
// stored size from a 409 and sending the consistency proof from there; only cosignature lines that verify under
// the witness's configured key are returned (docs/witnesses.md §Gathering cosignatures).
import http from 'node:http';
import https from 'node:https';
import {
  type Cosigner,
  cosignerKeyId,
  type SignatureCheck,
  verifyCosignature,
} from '../proof/note/cosignature.ts';
import { type NoteSignature, parseSignatureLines } from '../proof/note/signed-note.ts';

/** A configured witness. */
export interface WitnessEndpoint {
  /** The submission prefix: POST <url>/add-checkpoint. */
  readonly url: string;
  readonly cosigner: Cosigner;
  /** PEM CA certificates for an https witness; undefined uses the system's. */
  readonly ca?: Buffer | undefined;
}

/** What one request came to. */
export type WitnessOutcome =
  | { readonly ok: true; readonly cosignature: NoteSignature; readonly timestamp: bigint }
  | { readonly ok: false; readonly reason: string; readonly witnessSize?: bigint };

/** What the client needs from the log. */
export interface CosignRequest {
  /** The whole signed note as the log signed it (text, blank line, the log's signature line). */
  readonly note: string;
  readonly text: string;
  readonly size: bigint;
  /** The size the witness is believed to hold (0: none, or unknown). */
  readonly knownSize: bigint;
  /** Consistency proof from `oldSize` to `size`. */
  readonly proof: (oldSize: bigint) => Uint8Array[];
}

/** Longest a witness may take to answer one request. */
export const WITNESS_TIMEOUT_MS = 10_000;
/** Largest answer read from a witness. */
const MAX_ANSWER_BYTES = 64 * 1024;

interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

function post(endpoint: WitnessEndpoint, body: string): Promise<HttpAnswer> {
  const url = new URL(`${endpoint.url.replace(/\/+$/, '')}/add-checkpoint`);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) },
        timeout: WITNESS_TIMEOUT_MS,
        ...(url.protocol === 'https:' && endpoint.ca !== undefined ? { ca: endpoint.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${WITNESS_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function requestBody(oldSize: bigint, proof: readonly Uint8Array[], note: string): string {
  const lines = proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('');
  return `old ${oldSize}\n${lines}\n${note}`;
}

/** One line of a witness's refusal, for logs and status. */
function refusal(a: HttpAnswer): string {
  const text = a.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `HTTP ${a.status}${text === '' ? '' : `: ${text}`}`;
}

/**
 * Asks `endpoint` to cosign. At most two requests: a 409 naming the witness's size is followed by one request from
 * that size (when it is not past ours). The returned cosignature is checked under the configured key.
 */
export async function requestCosignature(
  endpoint: WitnessEndpoint,
  req: CosignRequest,
  check: SignatureCheck,
): Promise<WitnessOutcome> {
  let oldSize = req.knownSize <= req.size ? req.knownSize : 0n;
  for (let attempt = 0; attempt < 2; attempt++) {
    let answer: HttpAnswer;
    try {
      const proof = oldSize === 0n || oldSize === req.size ? [] : req.proof(oldSize);
      answer = await post(endpoint, requestBody(oldSize, proof, req.note));
    } catch (err) {
      return { ok: false, reason: `unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (answer.status === 409 && answer.contentType.startsWith('text/x.tlog.size')) {
      const m = /^(0|[1-9][0-9]{0,19})\n?$/.exec(answer.body);
      if (m === null) return { ok: false, reason: `409 with an unreadable size: ${refusal(answer)}` };
      const witnessSize = BigInt(m[1] as string);
      if (witnessSize > req.size) {
        return {
          ok: false,
          witnessSize,
          reason: `the witness holds size ${witnessSize}, larger than this log's ${req.size}`,
        };
      }
      if (witnessSize === oldSize)
        return { ok: false, witnessSize, reason: `409 twice at size ${witnessSize}` };
      oldSize = witnessSize;
      continue;
    }
    if (answer.status !== 200) return { ok: false, reason: refusal(answer) };
    const lines = parseSignatureLines(answer.body);
    if (typeof lines === 'string') return { ok: false, reason: `an unreadable answer: ${lines}` };
    const id = cosignerKeyId(endpoint.cosigner);
    for (const line of lines) {
      if (line.name !== endpoint.cosigner.name || line.keyId !== id) continue;
      const v = verifyCosignature(endpoint.cosigner, req.text, line, check);
      if (!v.ok) return { ok: false, reason: `its cosignature does not verify: ${v.reason}` };
      return { ok: true, cosignature: line, timestamp: v.timestamp };
    }
    return { ok: false, reason: 'the answer holds no cosignature by the configured key' };
  }
  return { ok: false, reason: 'no cosignature after two requests' };
}
