// The Symbol nodes the sidecar talks to (docs/anchoring.md §11): per-node back-off when one is unreachable, per-node
// record of answers refused by a check or out of line with the quorum, and each node's finality, never believed lower.
import type { Logger } from '../../log/logger.ts';
import { type Backoff, nextDelay } from '../../timing/backoff.ts';
import type { EvidenceCheck, Rejection } from './evidence-checks.ts';
import { SymbolNodeError, type SymbolRestClient } from './rest-client.ts';

/** How the sidecar sees one node (GetStatus, `spark status`). */
export interface NodeHealth {
  readonly url: string;
  /** ok; down (unreachable, in back-off); flagged (its last answer was refused or disagreed with the quorum). */
  readonly state: 'ok' | 'down' | 'flagged';
  readonly lastProblem: string;
  readonly answersRejected: number;
  readonly disagreements: number;
  readonly finalizedHeight: bigint;
  readonly lastAnswerAtMs: number;
}

/** An answer, or nothing when the node could not be asked (down, or its answer had no documented shape). */
export type Asked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** Pool settings. */
export interface NodePoolOptions {
  readonly clients: readonly SymbolRestClient[];
  /** Nodes that must agree before evidence or finality is believed. */
  readonly quorum: number;
  readonly now: () => number;
  readonly log: Logger;
  /** Told of every refused answer (the metric). */
  readonly onRejected?: (check: EvidenceCheck) => void;
}

/** The nodes, with what the sidecar makes of each. */
export interface NodePool {
  readonly quorum: number;
  readonly size: number;
  /** Nodes to ask now: not backing off, not excluded. */
  usable(): SymbolRestClient[];
  /**
   * Asks `node`. Unreachable or too slow: the node backs off (0.5 s doubling to 30 s) and nothing is returned. An
   * answer without the documented shape is refused (check "malformed"). Other errors propagate.
   */
  ask<T>(node: SymbolRestClient, fn: (client: SymbolRestClient) => Promise<T>): Promise<Asked<T>>;
  /** An answer passed its checks: the node is in line again. */
  believed(node: SymbolRestClient): void;
  /** An answer failed `rejection.check`: one log line naming the node, the check and both values; metric; flag. */
  reject(node: SymbolRestClient, rejection: Rejection, context: Record<string, string>): void;
  /** Finality the node reports: false (and refused as "finality-regressed") when below what it said before. */
  finality(node: SymbolRestClient, height: bigint, context: Record<string, string>): boolean;
  /** Highest finalized height `node` reported and was believed (0 before). */
  finalizedOf(node: SymbolRestClient): bigint;
  /** Never ask `node` again in this process (another network). */
  exclude(node: SymbolRestClient, reason: string): void;
  health(): NodeHealth[];
}

interface NodeState {
  readonly client: SymbolRestClient;
  downUntil: number;
  backoffMs: number;
  outageSince: number | undefined;
  lastProblem: string;
  rejected: number;
  disagreements: number;
  flagged: boolean;
  excluded: string | undefined;
  finalized: bigint;
  lastAnswerAt: number;
}

/** An unreachable node is asked again after 0.5 s, doubling to 30 s. */
const NODE_BACKOFF: Backoff = { minMs: 500, maxMs: 30_000 };

/** The most nodes a pool takes: each is asked about every open transaction each round. */
export const MAX_NODES = 16;

/** Creates the pool. */
export function createNodePool(o: NodePoolOptions): NodePool {
  if (o.clients.length === 0 || o.clients.length > MAX_NODES) {
    throw new RangeError(`a node pool needs 1..${MAX_NODES} nodes`);
  }
  if (!Number.isInteger(o.quorum) || o.quorum < 1 || o.quorum > o.clients.length) {
    throw new RangeError(`quorum must be 1..${o.clients.length}`);
  }
  const states = new Map<SymbolRestClient, NodeState>(
    o.clients.map((client) => [
      client,
      {
        client,
        downUntil: 0,
        backoffMs: 0,
        outageSince: undefined,
        lastProblem: '',
        rejected: 0,
        disagreements: 0,
        flagged: false,
        excluded: undefined,
        finalized: 0n,
        lastAnswerAt: 0,
      },
    ]),
  );
  const stateOf = (node: SymbolRestClient): NodeState => {
    const s = states.get(node);
    if (s === undefined) throw new Error(`${node.url} is not in the pool`);
    return s;
  };

  function down(s: NodeState, err: SymbolNodeError): void {
    const at = o.now();
    s.backoffMs = nextDelay(s.backoffMs, NODE_BACKOFF);
    s.downUntil = at + s.backoffMs;
    s.lastProblem = err.message;
    if (s.outageSince === undefined) {
      s.outageSince = at;
      o.log.warn(
        { node: s.client.url, reason: err.message },
        'Symbol node unreachable; backing off from it, the other nodes carry on, nothing is lost',
      );
    }
  }

  function up(s: NodeState): void {
    if (s.outageSince !== undefined) {
      o.log.info({ node: s.client.url, downForMs: o.now() - s.outageSince }, 'Symbol node reachable again');
    }
    s.outageSince = undefined;
    s.backoffMs = 0;
    s.downUntil = 0;
    s.lastAnswerAt = o.now();
  }

  function refuse(s: NodeState, check: EvidenceCheck, message: string, fields: Record<string, string>): void {
    s.rejected += check === 'disagreement' ? 0 : 1;
    if (check === 'disagreement') s.disagreements += 1;
    s.flagged = true;
    s.lastProblem = message;
    o.onRejected?.(check);
    o.log.warn({ node: s.client.url, check, ...fields }, message);
  }

  return {
    quorum: o.quorum,
    size: o.clients.length,
    usable() {
      const at = o.now();
      return [...states.values()]
        .filter((s) => s.excluded === undefined && s.downUntil <= at)
        .map((s) => s.client);
    },
    async ask(node, fn) {
      const s = stateOf(node);
      try {
        const value = await fn(node);
        up(s);
        return { ok: true, value };
      } catch (err) {
        if (!(err instanceof SymbolNodeError)) throw err;
        if (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT') {
          down(s, err);
          return { ok: false };
        }
        if (err.code === 'BAD_RESPONSE') {
          up(s);
          refuse(s, 'malformed', `Symbol node answer refused (malformed): ${err.message}`, {
            expected: 'the documented shape',
            got: err.message,
          });
          return { ok: false };
        }
        throw err;
      }
    },
    believed(node) {
      stateOf(node).flagged = false;
    },
    reject(node, rejection, context) {
      const s = stateOf(node);
      const what = rejection.check === 'disagreement' ? 'disagrees with the quorum' : 'answer refused';
      refuse(
        s,
        rejection.check,
        `Symbol node ${what} (${rejection.check}): expected ${rejection.expected}, got ${rejection.got}`,
        { expected: rejection.expected, got: rejection.got, ...context },
      );
    },
    finality(node, height, context) {
      const s = stateOf(node);
      if (height < s.finalized) {
        refuse(
          s,
          'finality-regressed',
          `Symbol node answer refused (finality-regressed): expected at least ${s.finalized}, got ${height}`,
          { expected: `>= ${s.finalized}`, got: height.toString(), ...context },
        );
        return false;
      }
      s.finalized = height;
      return true;
    },
    finalizedOf(node) {
      return stateOf(node).finalized;
    },
    exclude(node, reason) {
      const s = stateOf(node);
      if (s.excluded !== undefined) return;
      s.excluded = reason;
      s.flagged = true;
      s.lastProblem = reason;
      o.log.error({ node: node.url, reason }, 'Symbol node excluded: it is never asked again until restart');
    },
    health() {
      const at = o.now();
      return [...states.values()].map((s) => ({
        url: s.client.url,
        state:
          s.excluded !== undefined || s.flagged
            ? 'flagged'
            : s.downUntil > at || s.outageSince
              ? 'down'
              : 'ok',
        lastProblem: s.lastProblem,
        answersRejected: s.rejected,
        disagreements: s.disagreements,
        finalizedHeight: s.finalized,
        lastAnswerAtMs: s.lastAnswerAt,
      }));
    },
  };
}
