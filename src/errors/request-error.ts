// Errors about a client's request: bad fields, unknown leaves, refused modes.
import { SparkError } from './spark-error.ts';

/** Why a request was refused. */
export type RequestErrorCode =
  | 'FIELD_INVALID' // a field has the wrong form or length
  | 'FIELD_MISSING' // a required field is absent
  | 'LEAF_UNKNOWN' // no such leaf in this log
  | 'IMMEDIATE_DISABLED' // immediate sealing asked while PQC_IMMEDIATE_MODE is off
  | 'NO_SYMBOL_NODE' // an on-chain check asked of a server without SYMBOL_NODE_URL
  | 'PENDING_FULL' // the pending store is at capacity
  | 'TOO_MANY_ITEMS' // a request carries more items than SPARK_MAX_ITEMS_PER_REQUEST
  | 'TOO_MANY_STREAMS' // SPARK_MAX_CONCURRENT_STREAMS (the server) or SPARK_MAX_STREAMS_PER_CONNECTION are open
  | 'RATE_LIMITED' // a client's stream items exceed SPARK_STREAM_RATE per second
  | 'QUOTA_EXCEEDED' // a client's quota in the tokens file is used up for the day or month
  | 'CREDIT_EXHAUSTED' // prepaid credit is on and the client's balance does not cover the submission
  | 'SHUTTING_DOWN' // the server is draining
  | 'NOT_SEALED' // a sealed leaf is needed (e.g. to publish its bundle)
  | 'PUBLICATION_UNKNOWN' // no publication with that CID
  | 'SOURCE_NOT_FOUND' // the referenced transaction is not on its chain
  | 'SOURCE_MISMATCH' // the transaction exists but is not what the reference says (log index, contract, event)
  | 'SOURCE_PENDING' // the transaction is not yet in a block
  | 'SOURCE_UNAVAILABLE' // the chain's endpoint did not answer
  | 'SOURCE_UNCHECKABLE'; // this server cannot check that kind of reference (e.g. no JPYC contract configured)

/** A refused request; `field` names the offending field. */
export class RequestError extends SparkError<RequestErrorCode> {
  override readonly name = 'RequestError';
}
