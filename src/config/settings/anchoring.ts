// Anchoring settings (README.md §Configuration, docs/anchoring.md): the Symbol nodes and their quorum, fees, polling,
// deadlines and re-sends, batches per transaction, checkpoints, the account's minimum balance and prepaid credit.
import { parseXym } from '../../proof/encoding/xym.ts';
import type { ConfigIssue } from '../config-error.ts';
import * as d from '../defaults.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

const NAMES = [
  'SYMBOL_NODE_URL',
  'SYMBOL_NODE_URLS',
  'SYMBOL_NODE_QUORUM',
  'SYMBOL_MAX_FEE_MULTIPLIER',
  'SYMBOL_POLL_INTERVAL_MS',
  'SYMBOL_DEADLINE_SECONDS',
  'SYMBOL_RESEND_AFTER_MS',
  'SYMBOL_MIN_BALANCE',
  'SPARK_CREDIT_PRICE',
  'SPARK_ANCHOR_BATCHES_PER_TX',
  'SPARK_CHECKPOINT_INTERVAL',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SYMBOL_NODE_URLS'],
    variable: '`SYMBOL_NODE_URLS`',
    default: 'none',
    meaning:
      'Symbol node REST URLs, comma-separated (at most 16); when set, sealed batches are anchored and tracked to FINALIZED. Announcements go to every reachable node; evidence and finality are believed only when a quorum of them agree (docs/anchoring.md §11)',
  },
  {
    settings: ['SYMBOL_NODE_URL'],
    variable: '`SYMBOL_NODE_URL`',
    default: 'none',
    meaning: 'the one-node form of `SYMBOL_NODE_URLS` (set one or the other)',
  },
  {
    settings: ['SYMBOL_NODE_QUORUM'],
    variable: '`SYMBOL_NODE_QUORUM`',
    default: 'a majority',
    meaning: "how many nodes must agree on an anchor's block and on its finality (1 … the number of nodes)",
  },
  {
    settings: ['SYMBOL_MAX_FEE_MULTIPLIER'],
    variable: '`SYMBOL_MAX_FEE_MULTIPLIER`',
    default: '`1000`',
    meaning:
      "highest fee multiplier (µXYM per byte) paid; the node's median is used, never below its minimum",
  },
  {
    settings: ['SYMBOL_POLL_INTERVAL_MS'],
    variable: '`SYMBOL_POLL_INTERVAL_MS`',
    default: '`2000`',
    meaning: 'how often the anchor tracker polls the node',
  },
  {
    settings: ['SYMBOL_DEADLINE_SECONDS'],
    variable: '`SYMBOL_DEADLINE_SECONDS`',
    default: '`7200`',
    meaning: 'announcement lifetime (node time + this; Symbol allows up to 6 h)',
  },
  {
    settings: ['SYMBOL_RESEND_AFTER_MS'],
    variable: '`SYMBOL_RESEND_AFTER_MS`',
    default: '`30000`',
    meaning: 're-send an announcement the node does not know after this long',
  },
  {
    settings: ['SYMBOL_MIN_BALANCE'],
    variable: '`SYMBOL_MIN_BALANCE`',
    default: 'none',
    meaning:
      'XYM (e.g. `25` or `12.5`): below it the sidecar logs a warning naming the address to fund and sets `spark_symbol_account_balance_low` to 1 (docs/operations.md §The Symbol account)',
  },
  {
    settings: ['SPARK_CREDIT_PRICE'],
    variable: '`SPARK_CREDIT_PRICE`',
    default: 'none',
    meaning:
      "XYM per submission (e.g. `0.001`): prepaid credit on — clients top up with a Symbol transfer to the anchoring account with the message `spark-credit:<name>`, credited once finalized; each submission debits the price (immediate × `PQC_IMMEDIATE_FEE_MULTIPLIER`; a client's own `price=XYM` in the tokens file); an empty balance is refused with FAILED_PRECONDITION (docs/operations.md §Prepaid credit)",
  },
  {
    settings: ['SPARK_ANCHOR_BATCHES_PER_TX'],
    variable: '`SPARK_ANCHOR_BATCHES_PER_TX`',
    default: '`20`',
    meaning: 'most sealed batches sharing one aggregate transaction (immediate batches go alone)',
  },
  {
    settings: ['SPARK_CHECKPOINT_INTERVAL'],
    variable: '`SPARK_CHECKPOINT_INTERVAL`',
    default: '`86400`',
    meaning:
      'seconds between checkpoints (minimum 1): with anchoring on, the head of the header chain (batch count, header-log root, head header hash) is signed with the PQC key and anchored when it advanced (docs/anchoring.md §9)',
  },
];

/** The anchoring part of the Config. */
export interface AnchoringPart {
  /**
   * Symbol node REST URLs (SYMBOL_NODE_URLS, or the one-node form SYMBOL_NODE_URL); when any is set, sealed batches
   * are anchored on Symbol. Empty: no anchoring.
   */
  readonly symbolNodeUrls: readonly string[];
  /** Nodes that must agree on evidence and finality (SYMBOL_NODE_QUORUM; default a majority). */
  readonly symbolNodeQuorum: number;
  readonly symbolMaxFeeMultiplier: number;
  readonly symbolPollIntervalMs: number;
  readonly symbolDeadlineSeconds: number;
  readonly symbolResendAfterMs: number;
  /** SYMBOL_MIN_BALANCE in µXYM: below it the sidecar warns (log, metric); undefined: no minimum. */
  readonly symbolMinBalance: bigint | undefined;
  /**
   * SPARK_CREDIT_PRICE in µXYM per submission: prepaid credit on (docs/operations.md §Prepaid credit); undefined: off.
   */
  readonly creditPrice: bigint | undefined;
  readonly anchorBatchesPerTransaction: number;
  /** Seconds between checkpoints of the header chain (only with anchoring on). */
  readonly checkpointIntervalSeconds: number;
}

/** The anchoring settings. */
export const ANCHORING_SETTINGS: SettingsTable<typeof NAMES, AnchoringPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int }) {
    const symbolNodeUrls = symbolNodesSetting(raw.SYMBOL_NODE_URL, raw.SYMBOL_NODE_URLS, issues);
    const symbolNodeQuorum = quorumSetting(raw.SYMBOL_NODE_QUORUM, symbolNodeUrls.length, issues);
    const symbolMinBalance = xymSetting('SYMBOL_MIN_BALANCE', raw.SYMBOL_MIN_BALANCE, issues);
    const creditPrice = xymSetting('SPARK_CREDIT_PRICE', raw.SPARK_CREDIT_PRICE, issues);
    if (creditPrice !== undefined && symbolNodeUrls.length === 0) {
      issues.push({
        setting: 'SPARK_CREDIT_PRICE',
        problem:
          'prepaid credit is read from Symbol transfers: set SYMBOL_NODE_URL (or SYMBOL_NODE_URLS) too',
      });
    }
    return {
      symbolNodeUrls,
      symbolNodeQuorum,
      symbolMaxFeeMultiplier: int(
        'SYMBOL_MAX_FEE_MULTIPLIER',
        d.DEFAULT_SYMBOL_MAX_FEE_MULTIPLIER,
        1,
        1_000_000,
      ),
      symbolPollIntervalMs: int('SYMBOL_POLL_INTERVAL_MS', d.DEFAULT_SYMBOL_POLL_INTERVAL_MS, 50, 600_000),
      symbolDeadlineSeconds: int('SYMBOL_DEADLINE_SECONDS', d.DEFAULT_SYMBOL_DEADLINE_SECONDS, 10, 6 * 3600),
      symbolResendAfterMs: int('SYMBOL_RESEND_AFTER_MS', d.DEFAULT_SYMBOL_RESEND_AFTER_MS, 100, 3_600_000),
      symbolMinBalance,
      creditPrice,
      anchorBatchesPerTransaction: int('SPARK_ANCHOR_BATCHES_PER_TX', d.DEFAULT_ANCHOR_BATCHES_PER_TX, 1, 20),
      checkpointIntervalSeconds: int(
        'SPARK_CHECKPOINT_INTERVAL',
        d.DEFAULT_CHECKPOINT_INTERVAL_SECONDS,
        1,
        366 * 86_400,
      ),
    };
  },
};

/** An amount of XYM (up to six decimals, e.g. "12.5") as µXYM; undefined when unset. */
function xymSetting(
  name: (typeof NAMES)[number],
  value: string | undefined,
  issues: ConfigIssue[],
): bigint | undefined {
  if (value === undefined) return undefined;
  const micro = parseXym(value);
  if (micro === undefined) {
    issues.push({
      setting: name,
      problem: `"${value}" is not an amount of XYM (e.g. 25 or 12.5, at most 6 decimals)`,
    });
  }
  return micro;
}

/** Most Symbol nodes one sidecar reads (each is asked about every open anchor each round). */
export const MAX_SYMBOL_NODES = 16;

const HTTP_URL = /^https?:\/\/[^\s,]+$/;

/** SYMBOL_NODE_URLS (comma-separated) or its one-node form SYMBOL_NODE_URL; not both. */
function symbolNodesSetting(
  one: string | undefined,
  list: string | undefined,
  issues: ConfigIssue[],
): readonly string[] {
  if (one !== undefined && list !== undefined) {
    issues.push({
      setting: 'SYMBOL_NODE_URLS',
      problem: 'set either SYMBOL_NODE_URLS or its one-node form SYMBOL_NODE_URL, not both',
    });
    return [];
  }
  if (one !== undefined) {
    if (!HTTP_URL.test(one)) {
      issues.push({ setting: 'SYMBOL_NODE_URL', problem: `"${one}" is not an http(s) URL` });
      return [];
    }
    return [one];
  }
  if (list === undefined) return [];
  const urls = list.split(',').map((u) => u.trim());
  const bad = urls.filter((u) => !HTTP_URL.test(u));
  if (bad.length > 0) {
    issues.push({
      setting: 'SYMBOL_NODE_URLS',
      problem: `${bad.map((u) => `"${u}"`).join(', ')} ${bad.length === 1 ? 'is not an http(s) URL' : 'are not http(s) URLs'} (comma-separated list)`,
    });
    return [];
  }
  const normal = urls.map((u) => u.replace(/\/+$/, ''));
  if (new Set(normal).size !== normal.length) {
    issues.push({ setting: 'SYMBOL_NODE_URLS', problem: 'a node is listed twice' });
    return [];
  }
  if (urls.length > MAX_SYMBOL_NODES) {
    issues.push({
      setting: 'SYMBOL_NODE_URLS',
      problem: `${urls.length} nodes; at most ${MAX_SYMBOL_NODES}`,
    });
    return [];
  }
  return urls;
}

/** SYMBOL_NODE_QUORUM: 1..number of nodes; a majority by default. */
function quorumSetting(value: string | undefined, nodes: number, issues: ConfigIssue[]): number {
  const majority = Math.floor(nodes / 2) + 1;
  if (value === undefined) return nodes === 0 ? 0 : majority;
  if (nodes === 0) {
    issues.push({
      setting: 'SYMBOL_NODE_QUORUM',
      problem: 'set without SYMBOL_NODE_URLS or SYMBOL_NODE_URL',
    });
    return 0;
  }
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > nodes) {
    issues.push({
      setting: 'SYMBOL_NODE_QUORUM',
      problem: `"${value}" is not a whole number of nodes from 1 to ${nodes}`,
    });
    return majority;
  }
  return Number(value);
}
