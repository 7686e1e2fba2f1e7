// Named defaults for every setting (README.md §Configuration); the README's configuration table mirrors this file.

/** gRPC listen address. */
export const DEFAULT_LISTEN = '127.0.0.1:50051';
/** LMDB data directory. */
export const DEFAULT_DATA_DIR = './data';
/** Seal when this many leaves are pending. */
export const DEFAULT_AGGREGATION_THRESHOLD = 1000;
/** Seal when the oldest pending leaf is this many seconds old. */
export const DEFAULT_AGGREGATION_TIMEOUT_SECONDS = 3600;
/** Whether clients may ask for immediate sealing. */
export const DEFAULT_IMMEDIATE_MODE = false;
/** Fee multiplier quoted for immediate requests (applied once anchoring is on). */
export const DEFAULT_IMMEDIATE_FEE_MULTIPLIER = 3;
/** Signature algorithm for batch headers. */
export const DEFAULT_ALGORITHM = 'ML-DSA-65';
/** Where keys live. */
export const DEFAULT_KEY_PROVIDER = 'memory';
/** Most leaves waiting to be sealed before submissions are refused. */
export const DEFAULT_PENDING_CAPACITY = 1_000_000;
/** Largest accepted request message, bytes. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/**
 * Most leaves in one batch (a larger backlog is sealed as several batches). Sealing runs on the
 * event loop, so this bounds the pause a seal causes (about 2 s at 10^5 leaves on 2 cores).
 */
export const DEFAULT_MAX_BATCH_SIZE = 100_000;
/** pino log level. */
export const DEFAULT_LOG_LEVEL = 'info';
/** How long SIGTERM waits for in-flight calls before closing them, ms. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Highest fee multiplier (µXYM per byte) the sidecar pays, whatever the node asks. */
export const DEFAULT_SYMBOL_MAX_FEE_MULTIPLIER = 1000;
/** How often the anchor tracker polls the node, ms. */
export const DEFAULT_SYMBOL_POLL_INTERVAL_MS = 2000;
/** Lifetime of an announcement: deadline = node time + this, seconds (Symbol allows up to 6 h). */
export const DEFAULT_SYMBOL_DEADLINE_SECONDS = 7200;
/** Re-send an announcement the node does not know after this long, ms. */
export const DEFAULT_SYMBOL_RESEND_AFTER_MS = 30_000;
/** Most sealed batches sharing one aggregate (20 × 5 messages fits Symbol's 100 embedded transactions). */
export const DEFAULT_ANCHOR_BATCHES_PER_TX = 20;
/** Every this many seconds the head of the header chain is checkpointed (signed and anchored) if it advanced. */
export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 86_400;
/** Seconds between rounds that ask witnesses to cosign the newest checkpoint note. */
export const DEFAULT_WITNESS_INTERVAL_SECONDS = 60;
/** docker-secret: where the secrets are mounted (a tmpfs). */
export const DEFAULT_SECRETS_DIR = '/run/secrets';
/** docker-secret: file holding the ML-DSA seed (32 raw bytes or 64 hex digits). */
export const DEFAULT_PQC_SEED_SECRET = 'spark_pqc_seed';
/** docker-secret: file holding the Symbol account's Ed25519 seed. */
export const DEFAULT_SYMBOL_SEED_SECRET = 'spark_symbol_seed';
/** Seconds a batch-signing key signs before it is rotated (30 days); 0 turns scheduled rotation off. */
export const DEFAULT_KEY_ROTATION_INTERVAL_SECONDS = 30 * 86_400;
/** pkcs11: the PKCS#11 module (SoftHSM2 as packaged by Debian). */
export const DEFAULT_PKCS11_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
/** pkcs11: label of the token holding the keys. */
export const DEFAULT_PKCS11_TOKEN_LABEL = 'spark';
/** pkcs11: secret file (under SPARK_SECRETS_DIR) holding the user PIN. */
export const DEFAULT_PKCS11_PIN_SECRET = 'spark_pkcs11_pin';
/** pkcs11: label of the non-extractable HMAC key the ML-DSA seeds derive from. */
export const DEFAULT_PKCS11_MASTER_KEY_LABEL = 'spark-seed-master';
/** pkcs11: label of the Symbol account's Ed25519 key pair. */
export const DEFAULT_PKCS11_SYMBOL_KEY_LABEL = 'spark-symbol-account';
/** TLS key-exchange groups in preference order: the post-quantum hybrid first (OpenSSL group list syntax). */
export const DEFAULT_TLS_GROUPS = 'X25519MLKEM768:X25519:P-256';
/** Most items in one SubmitBatch request. */
export const DEFAULT_MAX_ITEMS_PER_REQUEST = 1000;
/** Most SubmitStream and WatchProof calls open at once on the whole server, all connections together. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 256;
/**
 * Most SubmitStream and WatchProof calls open at once on one connection. As large as the server-wide limit, so one
 * client may use all of it; lower it on a server shared by several clients. HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS
 * is announced 100 above it (src/service/server.ts, UNARY_STREAM_HEADROOM), so unary calls keep room beside it.
 */
export const DEFAULT_MAX_STREAMS_PER_CONNECTION = 256;
/** SubmitStream items per second per client (certificate identity, else address); 0 = unlimited. */
export const DEFAULT_STREAM_RATE = 100_000;
