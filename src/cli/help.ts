// `spark <command> --help`: what each command does and what each of its options means.

/** One command's help: its usage line(s), a sentence, and its options. */
interface CommandHelp {
  readonly usage: readonly string[];
  readonly about: string;
  readonly options: ReadonlyArray<readonly [flag: string, meaning: string]>;
}

/** The options every command that talks to a server takes. */
const CLIENT: ReadonlyArray<readonly [string, string]> = [
  ['--server HOST:PORT', "the sidecar's gRPC address (spark serve's --listen)"],
  ['--tls-ca F', "PEM CA certificates that sign the server's certificate: TLS instead of plaintext"],
  ['--tls-cert F --tls-key F', 'a client certificate and its key, for servers that ask for one'],
  ['--token-file F', 'a file holding a bearer token (or SPARK_TOKEN_FILE)'],
];

const WAIT: readonly [string, string] = [
  '--wait [SECONDS]',
  'wait until the proof is final (FINALIZED, or SEALED without anchoring), or at most SECONDS',
];

/** Help of every command, by name. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  serve: {
    usage: [
      'spark serve [--listen 127.0.0.1:50051] [--data-dir DIR] [--insecure] [--ephemeral-keys] [--log-format json|pretty]',
    ],
    about:
      'Runs the sidecar until SIGTERM or SIGINT; every setting also comes from the environment (README §Configuration).',
    options: [
      ['--listen HOST:PORT', 'gRPC address (SPARK_LISTEN); plaintext off loopback only with --insecure'],
      ['--data-dir DIR', 'the LMDB data directory (SPARK_DATA_DIR)'],
      ['--insecure', 'allow plaintext on a non-loopback address (SPARK_INSECURE)'],
      ['--ephemeral-keys', 'allow the memory key provider off loopback: keys and account vanish at restart'],
      [
        '--log-format json|pretty',
        'JSON lines, or short lines for a person (SPARK_LOG_FORMAT; pretty on a terminal)',
      ],
    ],
  },
  signer: {
    usage: ['spark signer --tls-cert F --tls-key F --client-ca F --policy F.json [--listen 127.0.0.1:50061]'],
    about:
      'Runs a remote signer: keys stay on this machine, sidecars sign over mutual TLS (docs/remote-signer.md).',
    options: [
      ['--tls-cert F --tls-key F', "the signer's server certificate and key"],
      ['--client-ca F', 'the CA whose client certificates may connect'],
      ['--policy F.json', 'which client (certificate CN) may use which purposes and algorithms'],
      ['--listen HOST:PORT', 'address to listen on'],
    ],
  },
  submit: {
    usage: [
      'spark submit --server HOST:PORT (--file F | --digest HEX | --text S | --dir DIR) [--immediate] [--request-id ID] [--json] [--quiet]',
    ],
    about: 'Submits a hash (of a file, text, or a directory of files) and prints its receipt.',
    options: [
      [
        '--file F | --digest HEX | --text S',
        'what to submit: the SHA-256 of a file or text, or a 32-byte digest',
      ],
      ['--dir DIR', 'every file under DIR, with progress'],
      ['--immediate', 'seal at once (PQC_IMMEDIATE_MODE), at the immediate fee'],
      ['--request-id ID', 'idempotency key: a retry returns the first receipt'],
      [
        '--bitcoin-tx | --ethereum-tx | --polygon-tx | --symbol-tx | --jpyc',
        'bind a reference to another chain',
      ],
      ['--json', 'machine-readable output'],
      ['--quiet', 'print nothing on success'],
      ...CLIENT,
    ],
  },
  prove: {
    usage: [
      'spark prove --server HOST:PORT (--leaf HEX | --file F | --digest HEX) [--wait [S]] --out F.spark [--publish] [--force]',
    ],
    about: 'Fetches the proof bundle of a leaf and writes it to a file.',
    options: [
      ['--force', 'replace the --out file if it exists (without it an existing file is refused)'],
      [
        '--leaf HEX | --file F | --digest HEX',
        'the leaf, by leaf hash, by the file submitted, or by its digest',
      ],
      WAIT,
      ['--out F.spark', 'where to write the bundle'],
      ['--publish', 'also publish the bundle on IPFS and print its CID'],
      ['--quiet', 'print nothing on success'],
      ...CLIENT,
    ],
  },
  stamp: {
    usage: ['spark stamp FILE… --server HOST:PORT [--wait [S]] [--immediate] [--force]'],
    about: 'Submits each file and writes its proof beside it as FILE.spark.',
    options: [
      WAIT,
      ['--immediate', 'seal at once'],
      ['--force', 'overwrite an existing FILE.spark'],
      ['--quiet', 'print nothing on success'],
      ...CLIENT,
    ],
  },
  upgrade: {
    usage: ['spark upgrade F.spark --server HOST:PORT'],
    about:
      'Replaces a bundle by the richer one the server now has for the same leaf (anchored, finalized, cosigned).',
    options: [...CLIENT],
  },
  verify: {
    usage: [
      'spark verify F.spark [--data F | --digest HEX] [--trust ROOT.json] [--log-id HEX] [--key-id HEX] [--witness-policy F.json] [--symbol URL[,URL…]] [--json]',
    ],
    about:
      'Checks a bundle offline (exit 0 valid, 1 invalid); F.spark beside F checks F too. docs/trust.md says what VALID means.',
    options: [
      ['--data F | --digest HEX', 'the original file, or its SHA-256, that the bundle must prove'],
      ['--trust ROOT.json', "pin the issuer: the operator's trust root (its log, keys, account, witnesses)"],
      ['--log-id HEX | --key-id HEX', 'pin a log id, or a key the signing key must be or chain to'],
      [
        '--witness-policy F.json',
        '{"quorum": k, "vkeys": […]}: k witnesses must have cosigned (docs/witnesses.md)',
      ],
      [
        '--symbol URL[,URL…]',
        'also check the anchor against Symbol nodes (the block, finality, key history)',
      ],
      ['--disable-algorithm NAME,…', 'refuse to rely on these algorithms'],
      ['--json', 'the report as JSON'],
    ],
  },
  inspect: {
    usage: ['spark inspect F.spark [--json]'],
    about: 'What a bundle holds, one line per part (it checks nothing: spark verify does).',
    options: [['--json', 'every field, decoded, as JSON']],
  },
  status: {
    usage: ['spark status --server HOST:PORT [--json]'],
    about: 'Leaves and batches by status, keys, Symbol nodes, the account and witnesses.',
    options: [['--json', 'machine-readable output'], ...CLIENT],
  },
  account: {
    usage: ['spark account --server HOST:PORT [--json]'],
    about: 'The Symbol account: address to fund, balance, recent cost per anchor, days left.',
    options: [['--json', 'machine-readable output'], ...CLIENT],
  },
  usage: {
    usage: [
      'spark usage --server HOST:PORT [--since T] [--until T] [--client NAME] [--format table|json|csv]',
    ],
    about:
      "Each client's new submissions, share of finalized anchor fees and quota (admin; docs/operations.md).",
    options: [
      ['--since T', 'from this UTC day (YYYY-MM-DD, or an RFC 3339 time)'],
      ['--until T', 'up to and including this UTC day'],
      ['--client NAME', 'one client only'],
      ['--format table|json|csv', 'table (default), JSON, or CSV with a header row'],
      ...CLIENT,
    ],
  },
  credit: {
    usage: ['spark credit --server HOST:PORT [--json]'],
    about:
      'Your own prepaid credit on a server that charges submissions (SPARK_CREDIT_PRICE): balance, price, and the transfer that tops it up (docs/operations.md).',
    options: [['--json', 'machine-readable output (µXYM amounts)'], ...CLIENT],
  },
  keys: {
    usage: ['spark keys list|rotate --server HOST:PORT [--json]'],
    about: 'Lists the key history, or rotates to a new key endorsed by the current one (admin).',
    options: [['--json', 'machine-readable output'], ...CLIENT],
  },
  trust: {
    usage: ['spark trust export (--server HOST:PORT | --data-dir D) --out ROOT.json [--force]'],
    about: "Writes this log's trust root: what verifiers pin (docs/trust.md).",
    options: [
      ['--force', 'replace the --out file if it exists (without it an existing file is refused)'],
      ['--server HOST:PORT', 'from a running server (checked before it is written)'],
      ['--data-dir D', 'from a data directory, offline'],
      ['--out ROOT.json', 'where to write it'],
      ...CLIENT.slice(1),
    ],
  },
  token: {
    usage: [
      'spark token create --name NAME [--role client|admin] [--file TOKENS]',
      'spark token quota --name NAME [--file TOKENS] [--daily N|none] [--monthly N|none] [--immediate-daily N|none] [--price XYM|none]',
    ],
    about:
      "Makes a bearer token (prints it once, and the tokens file's line or appends it), or sets a client's quota in the tokens file.",
    options: [
      ['--name NAME', 'who the token is for (logs, metrics and usage name it)'],
      ['--role client|admin', 'admin may also seal, rotate, read status and usage'],
      ['--file TOKENS', 'the SPARK_AUTH_TOKENS file (mode 0600): create appends to it; quota edits it'],
      ['--daily N|none', 'new submissions per UTC day; none removes the limit'],
      ['--monthly N|none', 'new submissions per UTC calendar month'],
      ['--immediate-daily N|none', 'new immediate submissions per UTC day'],
      [
        '--price XYM|none',
        "with prepaid credit on: this client's price per submission (0: free); none: SPARK_CREDIT_PRICE",
      ],
    ],
  },
  witness: {
    usage: [
      'spark witness init --data-dir D --name NAME [--algorithm ML-DSA-44|ML-DSA-65|Ed25519] [--ephemeral-keys]',
      'spark witness serve --data-dir D --listen HOST:PORT --log ROOT.json [--log ROOT.json …] [--insecure] [--ephemeral-keys]',
      'spark witness evidence --data-dir D [--json]',
    ],
    about:
      "Runs a witness that cosigns other logs' checkpoints (docs/witnesses.md); keys from SPARK_KEY_PROVIDER.",
    options: [
      [
        '--data-dir D',
        "the witness's LMDB state: its name, the latest checkpoint cosigned per log, evidence",
      ],
      ['--name NAME', 'its key name, a schema-less URL (witness.example.com/w1)'],
      ['--algorithm A', 'ML-DSA-44 (default), ML-DSA-65, or Ed25519 for Ed25519-only witness networks'],
      ['--log ROOT.json', 'witness this log, accepting its trust root keys (once per log)'],
      ['--listen HOST:PORT', 'address of POST /add-checkpoint; TLS with SPARK_TLS_CERT and SPARK_TLS_KEY'],
      ['--insecure', 'plaintext off loopback'],
      ['--ephemeral-keys', 'allow the memory provider: a new key at every start (development)'],
      ['--json', 'evidence as JSON'],
    ],
  },
};

/** The help text of `command`, or undefined for an unknown one. */
export function commandHelp(command: string): string | undefined {
  const h = COMMAND_HELP[command];
  if (h === undefined) return undefined;
  const width = Math.max(0, ...h.options.map(([flag]) => flag.length));
  return [
    ...h.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}${u}`),
    '',
    h.about,
    ...(h.options.length === 0
      ? []
      : ['', 'options:', ...h.options.map(([f, m]) => `  ${f.padEnd(width)}  ${m}`)]),
  ].join('\n');
}
