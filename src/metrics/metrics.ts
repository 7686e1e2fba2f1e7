// Prometheus metrics (docs/operations.md §Metrics and probes): one registry per sidecar (never prom-client's global one, so two sidecars in one
// process keep their own counts), the series operators watch, and the observers the rest of the code reports to.
// Labels only take values from closed sets (result codes, stages, routes), so no series can grow without bound.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreWriteHealth } from '../store/store.ts';

/** What a submission came to: "accepted", "duplicate", or the refusal's error code in lower case. */
export type SubmissionResult = string;

/** Anchoring stages whose latency from sealing is measured. */
export type AnchorStage = 'announced' | 'confirmed' | 'finalized';

/** The sidecar's metrics. */
export interface SparkMetrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every series. */
  text(): Promise<string>;
  readonly contentType: string;
  submission(result: SubmissionResult, count?: number): void;
  sealed(leaves: number, seconds: number): void;
  anchorStage(stage: AnchorStage, secondsSinceSeal: number): void;
  announcementFailed(code: string): void;
  signed(provider: string, algorithm: string, seconds: number): void;
  httpRequest(route: string, status: number): void;
  /** A Symbol node's answer was refused by a check (or disagreed with the quorum): docs/anchoring.md §8. */
  symbolAnswerRejected(check: string): void;
  /** Reads the nodes' states at scrape time (called once anchoring is wired). */
  watchSymbolNodes(read: () => ReadonlyArray<{ readonly state: string }>): void;
  /** The anchoring account's balance (µXYM) as last read, and whether it is below SYMBOL_MIN_BALANCE. */
  symbolBalance(microXym: bigint, low: boolean): void;
  /** Reads the witness quorum state at scrape time (called once witnesses are configured). */
  watchWitnesses(read: () => WitnessQuorumView): void;
  /** A new (not duplicate) submission of `client` was acknowledged. */
  clientSubmission(client: string, immediate: boolean): void;
  /** `client`'s share of a finalized anchor's fee, µXYM (what it pays: immediate ones × the multiplier). */
  clientFee(client: string, microXym: bigint): void;
  /** A finalized top-up credited `client`'s prepaid credit with `microXym` (docs/operations.md §Prepaid credit). */
  clientCredit(client: string, microXym: bigint): void;
}

/** Clients with a label of their own in the per-client series; the ones seen later share `other`. */
export const CLIENT_LABELS_MAX = 20;

/** What the witness metrics read. */
export interface WitnessQuorumView {
  readonly quorum: number;
  readonly size: bigint;
  readonly cosignatures: number;
  readonly witnesses: ReadonlyArray<{ readonly lastError: string | undefined }>;
}

/** Sources read at scrape time. */
export interface MetricSources {
  /** Leaves waiting to be sealed. */
  readonly pendingLeaves: () => number;
  /** The store's failed commits and its volume's free space (docs/operations.md "Disk full"). */
  readonly storeWrites?: (() => StoreWriteHealth) | undefined;
}

/** A refusal code as a label: lower case, letters, digits and underscores, at most 40 characters. */
export function resultLabel(code: string): string {
  return (
    code
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 40) || 'unknown'
  );
}

/** Creates the registry and every series. */
export function createMetrics(sources: MetricSources): SparkMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const submissions = new Counter({
    name: 'spark_submissions_total',
    help: 'Submissions (Submit, SubmitBatch items, SubmitStream items) by result: accepted, duplicate, or the refusal code',
    labelNames: ['result'],
    registers: [registry],
  });
  new Gauge({
    name: 'spark_pending_leaves',
    help: 'Leaves stored and acknowledged but not yet sealed into a batch',
    registers: [registry],
    collect() {
      this.set(sources.pendingLeaves());
    },
  });
  const batchSize = new Histogram({
    name: 'spark_batch_size',
    help: 'Leaves per sealed batch',
    buckets: [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000],
    registers: [registry],
  });
  const sealDuration = new Histogram({
    name: 'spark_seal_duration_seconds',
    help: 'Time to seal one batch: read pending leaves, build the tree, sign the header, commit',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [registry],
  });
  const anchorLatency = new Histogram({
    name: 'spark_anchor_latency_seconds',
    help: 'Time from sealing a batch to its anchor reaching a stage (announced, confirmed, finalized)',
    labelNames: ['stage'],
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const announcementFailures = new Counter({
    name: 'spark_announcement_failures_total',
    help: "Anchor announcements the Symbol node refused or dropped, by the node's failure code",
    labelNames: ['code'],
    registers: [registry],
  });
  const signDuration = new Histogram({
    name: 'spark_sign_duration_seconds',
    help: 'Time of one signature by the key provider (batch headers, checkpoints, key statements)',
    labelNames: ['provider', 'algorithm'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'spark_http_requests_total',
    help: 'Requests on the HTTP port (metrics, probes, IPFS gateway, web verifier) by route and status',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const answersRejected = new Counter({
    name: 'spark_symbol_node_answers_rejected_total',
    help: 'Symbol node answers not believed, by the check they failed (block-hash, merkle-path, finality-regressed, disagreement, …)',
    labelNames: ['check'],
    registers: [registry],
  });
  // Read from the store at scrape time: its counts only grow, so each scrape adds what is new.
  const commitFailuresSeen: Record<string, number> = {};
  new Counter({
    name: 'spark_store_commit_failures_total',
    help: 'Commits of the data dir that failed (one per transaction, however many calls it carried), by reason: disk_full (ENOSPC, EDQUOT, a short write on a full volume, MDB_MAP_FULL) or io_error',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const failed = sources.storeWrites?.().failedCommits;
      if (failed === undefined) return;
      for (const [reason, count] of Object.entries(failed)) {
        this.inc({ reason }, Math.max(0, count - (commitFailuresSeen[reason] ?? 0)));
        commitFailuresSeen[reason] = count;
      }
    },
  });
  new Gauge({
    name: 'spark_data_volume_available_bytes',
    help: "Bytes still available on the data dir's volume (statfs at scrape time)",
    registers: [registry],
    collect() {
      const available = sources.storeWrites?.().availableBytes;
      if (available !== undefined) this.set(available);
    },
  });
  const balance = new Gauge({
    name: 'spark_symbol_account_balance_xym',
    help: 'Balance of the Symbol account that pays for anchors, in XYM, as last read from a node',
    registers: [registry],
  });
  const balanceLow = new Gauge({
    name: 'spark_symbol_account_balance_low',
    help: '1 while the anchoring account holds less than SYMBOL_MIN_BALANCE (fund it), else 0',
    registers: [registry],
  });
  let readNodes: (() => ReadonlyArray<{ readonly state: string }>) | undefined;
  new Gauge({
    name: 'spark_symbol_nodes',
    help: 'Configured Symbol nodes by state: ok, down (unreachable, backing off), flagged (last answer refused)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (readNodes === undefined) return;
      const nodes = readNodes();
      for (const state of ['ok', 'down', 'flagged']) {
        this.set({ state }, nodes.filter((n) => n.state === state).length);
      }
    },
  });
  let readWitnesses: (() => WitnessQuorumView) | undefined;
  const witnessGauge = (name: string, help: string, value: (w: WitnessQuorumView) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (readWitnesses !== undefined) this.set(value(readWitnesses()));
      },
    });
  witnessGauge(
    'spark_witness_quorum',
    'Cosignatures a checkpoint needs (SPARK_WITNESS_QUORUM)',
    (w) => w.quorum,
  );
  witnessGauge(
    'spark_witness_cosignatures',
    'Valid witness cosignatures on the newest checkpoint note',
    (w) => w.cosignatures,
  );
  witnessGauge('spark_witness_checkpoint_size', 'Tree size (batches) of the newest checkpoint note', (w) =>
    Number(w.size),
  );
  witnessGauge(
    'spark_witness_quorum_met',
    '1 while the newest checkpoint note holds at least the quorum of cosignatures, else 0',
    (w) => (w.cosignatures >= w.quorum ? 1 : 0),
  );
  witnessGauge(
    'spark_witnesses_failing',
    'Witnesses whose last cosigning request failed',
    (w) => w.witnesses.filter((x) => x.lastError !== undefined).length,
  );
  const clientSubmissions = new Counter({
    name: 'spark_client_submissions_total',
    help: `New submissions acknowledged, by client (the first ${CLIENT_LABELS_MAX} names seen since start; later ones as "other") and whether immediate`,
    labelNames: ['client', 'immediate'],
    registers: [registry],
  });
  const clientFees = new Counter({
    name: 'spark_client_fee_microxym_total',
    help: `Clients' shares of finalized anchor fees in µXYM, immediate ones × PQC_IMMEDIATE_FEE_MULTIPLIER, by client (as spark_client_submissions_total)`,
    labelNames: ['client'],
    registers: [registry],
  });
  const clientCredits = new Counter({
    name: 'spark_client_credit_microxym_total',
    help: 'Prepaid credit topped up by finalized Symbol transfers, µXYM, by client (as spark_client_submissions_total)',
    labelNames: ['client'],
    registers: [registry],
  });
  const clientLabels = new Set<string>();
  const clientLabel = (client: string): string => {
    if (clientLabels.has(client)) return client;
    if (clientLabels.size >= CLIENT_LABELS_MAX || client === 'other') return 'other';
    clientLabels.add(client);
    return client;
  };
  return {
    registry,
    contentType: registry.contentType,
    clientSubmission: (client, immediate) =>
      clientSubmissions.inc({ client: clientLabel(client), immediate: String(immediate) }),
    clientFee: (client, microXym) => clientFees.inc({ client: clientLabel(client) }, Number(microXym)),
    clientCredit: (client, microXym) => clientCredits.inc({ client: clientLabel(client) }, Number(microXym)),
    text: () => registry.metrics(),
    submission: (result, count = 1) => submissions.inc({ result }, count),
    sealed(leaves, seconds) {
      batchSize.observe(leaves);
      sealDuration.observe(seconds);
    },
    anchorStage: (stage, seconds) => anchorLatency.observe({ stage }, seconds),
    announcementFailed: (code) => announcementFailures.inc({ code: resultLabel(code) }),
    signed: (provider, algorithm, seconds) => signDuration.observe({ provider, algorithm }, seconds),
    httpRequest: (route, status) => httpRequests.inc({ route, status: String(status) }),
    // Check names come from a closed set (docs/anchoring.md §8): kept as they are, so the label reads like the log.
    symbolAnswerRejected: (check) =>
      answersRejected.inc({ check: /^[a-z-]{1,40}$/.test(check) ? check : 'unknown' }),
    watchSymbolNodes(read) {
      readNodes = read;
    },
    watchWitnesses(read) {
      readWitnesses = read;
    },
    symbolBalance(microXym, low) {
      balance.set(Number(microXym) / 1_000_000);
      balanceLow.set(low ? 1 : 0);
    },
  };
}
