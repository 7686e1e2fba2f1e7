// The signer's policy (docs/remote-signer.md): which client, by certificate CN, may use which purposes and algorithms.
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from '../config/config-error.ts';
import { algorithmById, algorithmByName } from '../proof/crypto/algorithms.ts';

/**
 * What a signer key is used for: a log's batch keys or a witness's cosigning keys (registry algorithms, derived
 * apart: docs/witnesses.md §3), or the Symbol account.
 */
export type SignerPurpose = 'batch-signing' | 'witness-cosigning' | 'symbol-account';

/** Every purpose the signer serves. */
export const SIGNER_PURPOSES: readonly SignerPurpose[] = [
  'batch-signing',
  'witness-cosigning',
  'symbol-account',
];

/** Purposes whose keys are of a registry algorithm (the grant names which). */
const ALGORITHM_PURPOSES: readonly SignerPurpose[] = ['batch-signing', 'witness-cosigning'];

/** What one client may do. */
export interface ClientGrant {
  readonly purposes: ReadonlySet<SignerPurpose>;
  /** Algorithm ids allowed for "batch-signing" and "witness-cosigning". */
  readonly algorithmIds: ReadonlySet<number>;
}

/** The parsed policy: clients unknown to it may do nothing. */
export interface SignerPolicy {
  /** Client CNs named in the policy, in file order. */
  readonly clients: readonly string[];
  /** What the policy grants to anyone: what the signer's provider must be able to serve. */
  readonly granted: ClientGrant;
  /** True when `client` may use `purpose` (and, for an algorithm purpose, `algorithmId`). */
  allows(client: string, purpose: SignerPurpose, algorithmId?: number): boolean;
}

/** Largest policy file read. */
const MAX_POLICY_BYTES = 1024 * 1024;
/** Longest X.509 common name (RFC 5280 ub-common-name). */
const MAX_CLIENT_NAME = 64;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one client's grant, pushing each problem (naming its JSON path) onto `problems`. */
function parseGrant(path: string, value: unknown, problems: string[]): ClientGrant {
  const purposes = new Set<SignerPurpose>();
  const algorithmIds = new Set<number>();
  if (!isObject(value)) {
    problems.push(`${path}: must be an object with "purposes" (and "algorithms")`);
    return { purposes, algorithmIds };
  }
  for (const key of Object.keys(value)) {
    if (key !== 'purposes' && key !== 'algorithms') problems.push(`${path}.${key}: unknown field`);
  }
  const rawPurposes = value['purposes'];
  if (!Array.isArray(rawPurposes) || rawPurposes.length === 0) {
    problems.push(`${path}.purposes: must be a non-empty array of ${SIGNER_PURPOSES.join(', ')}`);
  } else {
    rawPurposes.forEach((p: unknown, i) => {
      if (typeof p === 'string' && (SIGNER_PURPOSES as readonly string[]).includes(p)) {
        purposes.add(p as SignerPurpose);
      } else {
        problems.push(
          `${path}.purposes[${i}]: ${JSON.stringify(p)} is not one of ${SIGNER_PURPOSES.join(', ')}`,
        );
      }
    });
  }
  const rawAlgorithms = value['algorithms'];
  const algorithmPurposes = ALGORITHM_PURPOSES.filter((p) => purposes.has(p));
  if (rawAlgorithms === undefined) {
    for (const p of algorithmPurposes) {
      problems.push(`${path}.algorithms: ${p} needs a non-empty array of algorithm names or ids`);
    }
  } else if (!Array.isArray(rawAlgorithms) || rawAlgorithms.length === 0) {
    problems.push(
      `${path}.algorithms: must be a non-empty array of algorithm names (e.g. "ML-DSA-65") or ids`,
    );
  } else {
    if (algorithmPurposes.length === 0) {
      problems.push(
        `${path}.algorithms: only applies to purposes batch-signing and witness-cosigning, neither of which is granted`,
      );
    }
    rawAlgorithms.forEach((a: unknown, i) => {
      const spec =
        typeof a === 'string'
          ? algorithmByName(a)
          : typeof a === 'number' && Number.isInteger(a)
            ? algorithmById(a)
            : undefined;
      if (spec === undefined)
        problems.push(`${path}.algorithms[${i}]: unknown algorithm ${JSON.stringify(a)}`);
      else algorithmIds.add(spec.id);
    });
  }
  return { purposes, algorithmIds };
}

/** Parses policy JSON text; throws ConfigError (setting `setting`) listing every problem by its JSON path. */
export function parsePolicy(text: string, setting = '--policy'): SignerPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([{ setting, problem: `not valid JSON (${(err as Error).message})` }]);
  }
  const problems: string[] = [];
  const grants = new Map<string, ClientGrant>();
  if (!isObject(doc)) {
    problems.push('the policy must be a JSON object with "clients"');
  } else {
    for (const key of Object.keys(doc)) {
      if (key !== 'clients') problems.push(`${key}: unknown field`);
    }
    const clients = doc['clients'];
    if (!isObject(clients) || Object.keys(clients).length === 0) {
      problems.push('clients: must be a non-empty object mapping certificate CNs to grants');
    } else {
      for (const [name, grant] of Object.entries(clients)) {
        const path = `clients.${name}`;
        if (name.length === 0 || name.length > MAX_CLIENT_NAME) {
          problems.push(`${path}: a client name is a certificate CN of 1..${MAX_CLIENT_NAME} characters`);
        }
        grants.set(name, parseGrant(path, grant, problems));
      }
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.map((problem): ConfigIssue => ({ setting, problem })));
  }
  const granted = { purposes: new Set<SignerPurpose>(), algorithmIds: new Set<number>() };
  for (const grant of grants.values()) {
    for (const purpose of grant.purposes) granted.purposes.add(purpose);
    for (const id of grant.algorithmIds) granted.algorithmIds.add(id);
  }
  return {
    clients: [...grants.keys()],
    granted,
    allows(client, purpose, algorithmId) {
      const grant = grants.get(client);
      if (grant === undefined || !grant.purposes.has(purpose)) return false;
      if (purpose === 'symbol-account') return true;
      return algorithmId !== undefined && grant.algorithmIds.has(algorithmId);
    },
  };
}

/** Reads and parses the policy file; unreadable or invalid files are a ConfigError naming `setting`. */
export function loadPolicy(file: string, setting = '--policy'): SignerPolicy {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_POLICY_BYTES) {
      throw new ConfigError([{ setting, problem: `${file} is larger than ${MAX_POLICY_BYTES} bytes` }]);
    }
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ setting, problem: `cannot read ${file} (${code})` }]);
  }
  return parsePolicy(text, setting);
}
