// SparkProcessor.Publish and GetPublication (docs/ipfs.md): a leaf's current bundle stored under its CID, served by
// the gateway and pushed by the publishers; its progress by CID.
import { create, toBinary } from '@bufbuild/protobuf';
import { RequestError } from '../errors/request-error.ts';
import { type ProofBundle, ProofBundleSchema, Status } from '../gen/spark/v1/bundle_pb.js';
import {
  type GetPublicationRequest,
  type PublishRequest,
  type PublishResponse,
  PublishResponseSchema,
} from '../gen/spark/v1/processor_pb.js';
import { parseServableCid } from '../ipfs/cid.ts';
import type { Publication, Publications } from '../ipfs/publications.ts';
import { toConnectError } from './error-map.ts';
import { requireHash32 } from './validate.ts';

/** What the handlers need. */
export interface PublishDeps {
  readonly publications: Publications;
  /** The leaf's status and current bundle (undefined before sealing); throws RequestError for unknown leaves. */
  readonly prove: (leafHash: Uint8Array) => { status: Status; bundle: ProofBundle | undefined };
}

/** The publication as the API shows it. */
export function toPublishResponse(p: Publication): PublishResponse {
  return create(PublishResponseSchema, {
    cid: p.cid,
    leafHash: p.leafHash,
    status: p.status,
    size: BigInt(p.size),
    gatewayPath: `/ipfs/${p.cid}`,
    createdAtMs: BigInt(p.createdAtMs),
    publishers: p.publishers.map((x) => ({
      publisher: x.publisher,
      state: x.state,
      attempts: x.attempts,
      lastError: x.lastError,
      publishedAtMs: BigInt(x.publishedAtMs),
      reference: x.requestId ?? '',
    })),
  });
}

/** The two handlers. */
export function createPublishHandlers(d: PublishDeps): {
  publish(req: PublishRequest): Promise<PublishResponse>;
  getPublication(req: GetPublicationRequest): Promise<PublishResponse>;
} {
  return {
    async publish(req) {
      try {
        const leafHash = requireHash32(req.leafHash, 'leaf_hash');
        const { status, bundle } = d.prove(leafHash);
        if (bundle === undefined) {
          throw new RequestError(
            'NOT_SEALED',
            `leaf_hash: the leaf is ${Status[status]}; a bundle exists once it is sealed`,
            { field: 'leaf_hash' },
          );
        }
        return toPublishResponse(
          await d.publications.add(leafHash, status, toBinary(ProofBundleSchema, bundle)),
        );
      } catch (err) {
        throw toConnectError(err);
      }
    },
    async getPublication(req) {
      try {
        const parsed = parseServableCid(req.cid);
        if (typeof parsed === 'string' || parsed.kind !== 'sha256') {
          throw new RequestError(
            'FIELD_INVALID',
            `cid: ${typeof parsed === 'string' ? parsed : 'not a published CID'}`,
            {
              field: 'cid',
            },
          );
        }
        const p = d.publications.get(parsed.cid);
        if (p === undefined) {
          throw new RequestError('PUBLICATION_UNKNOWN', `cid: ${parsed.cid} is not published here`, {
            field: 'cid',
          });
        }
        return toPublishResponse(p);
      } catch (err) {
        throw toConnectError(err);
      }
    },
  };
}
