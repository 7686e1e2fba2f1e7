// A fixed pool of read-write sessions on one token, logged in, through which every token operation runs.
import type { Handle, PKCS11 } from 'pkcs11js';
import { KeyError } from '../key-error.ts';
import {
  CKF_RW_SERIAL_SESSION,
  CKR_KEY_HANDLE_INVALID,
  CKR_OBJECT_HANDLE_INVALID,
  CKR_SESSION_CLOSED,
  CKR_SESSION_HANDLE_INVALID,
  CKR_USER_ALREADY_LOGGED_IN,
  CKR_USER_NOT_LOGGED_IN,
  CKS_RW_USER_FUNCTIONS,
  CKU_USER,
} from './pkcs11-constants.ts';
import { ckrCode, ckrName, tokenUnavailable } from './pkcs11-error.ts';

/** Largest pool: tokens limit sessions, and signing is rare enough that a few suffice. */
export const MAX_POOL_SESSIONS = 32;

/** Return values after which the session itself is gone: open another. */
const SESSION_LOST = new Set([CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED]);
/**
 * Return values after which the login is gone: log in again. A logout also invalidates the handles of private
 * objects (SoftHSM answers CKR_OBJECT_HANDLE_INVALID for them), so those count too; operations look their
 * objects up afresh on each attempt.
 */
const LOGIN_LOST = new Set([CKR_USER_NOT_LOGGED_IN, CKR_OBJECT_HANDLE_INVALID, CKR_KEY_HANDLE_INVALID]);

/** What the pool needs. */
export interface SessionPoolOptions {
  readonly pkcs11: PKCS11;
  readonly slot: Handle;
  /** Number of sessions, 1..MAX_POOL_SESSIONS. */
  readonly size: number;
  /** The token's label, for messages. */
  readonly tokenLabel: string;
  /** Reads the PIN for one login; the pool zeroes the buffer right after. The PIN is never kept. */
  readonly readPin: () => Buffer;
}

/** Counts of recoveries, for tests and diagnostics. */
export interface SessionPoolStats {
  /** Logins, including the first one. */
  readonly logins: number;
  /** Sessions reopened after the token dropped them. */
  readonly reopened: number;
}

/** Serialises token operations over a few sessions. */
export interface SessionPool {
  /**
   * Runs `operation` on a logged-in session held for it alone, retrying once after logging in again (when the
   * login was lost) or on a new session (when the session was lost). `operation` must be safe to repeat and
   * must look up the objects it uses on each call. Throws KeyError CLOSED after close().
   */
  run<T>(operation: (session: Handle) => T | Promise<T>): Promise<T>;
  /** Recovery counts so far. */
  stats(): SessionPoolStats;
  /** Refuses new operations, waits for running ones, and closes every session. */
  close(): Promise<void>;
}

interface Waiter {
  resolve(session: Handle): void;
  reject(err: unknown): void;
}

/**
 * Opens `size` read-write sessions on `slot` and logs in once (the login holds for every session of this
 * process). Throws KeyError TOKEN_UNAVAILABLE ("login to token "x" failed: CKR_PIN_INCORRECT") or the PIN
 * file's SECRET_UNUSABLE error; sessions opened so far are closed first.
 */
export function openSessionPool(options: SessionPoolOptions): SessionPool {
  const { pkcs11, slot, tokenLabel } = options;
  if (!Number.isInteger(options.size) || options.size < 1 || options.size > MAX_POOL_SESSIONS) {
    throw new KeyError('INVALID_INPUT', `sessions must be an integer in 1..${MAX_POOL_SESSIONS}`, {
      field: 'sessions',
    });
  }
  const all = new Set<Handle>();
  const idle: Handle[] = [];
  const waiters: Waiter[] = [];
  let busy = 0;
  let closed = false;
  let drained: (() => void) | undefined;
  let logins = 0;
  let reopened = 0;

  const openSession = (): Handle => {
    try {
      const session = pkcs11.C_OpenSession(slot, CKF_RW_SERIAL_SESSION);
      all.add(session);
      return session;
    } catch (cause) {
      throw tokenUnavailable(`cannot open a session on token "${tokenLabel}": ${ckrName(cause)}`, cause);
    }
  };

  const closeSession = (session: Handle): void => {
    all.delete(session);
    try {
      pkcs11.C_CloseSession(session);
    } catch {
      // Already gone (closed underneath, token removed): nothing to release.
    }
  };

  const login = (session: Handle): void => {
    const pin = options.readPin();
    try {
      // pkcs11js takes the PIN as a string: it lives only for this call; the Buffer is zeroed below.
      pkcs11.C_Login(session, CKU_USER, pin.toString('utf8'));
      logins++;
    } catch (cause) {
      if (ckrCode(cause) === CKR_USER_ALREADY_LOGGED_IN) return;
      throw tokenUnavailable(`login to token "${tokenLabel}" failed: ${ckrName(cause)}`, cause);
    } finally {
      pin.fill(0);
    }
  };

  /** Logs in unless this session already sees the user logged in (a logout elsewhere ends it for all). */
  const ensureLoggedIn = (session: Handle): void => {
    if (pkcs11.C_GetSessionInfo(session).state !== CKS_RW_USER_FUNCTIONS) login(session);
  };

  try {
    for (let i = 0; i < options.size; i++) idle.push(openSession());
    ensureLoggedIn(idle[0] as Handle);
  } catch (err) {
    for (const session of [...all]) closeSession(session);
    throw err;
  }

  const acquire = (): Promise<Handle> => {
    if (closed) return Promise.reject(new KeyError('CLOSED', 'key provider is closed'));
    const session = idle.pop();
    if (session !== undefined) {
      busy++;
      return Promise.resolve(session);
    }
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };

  const release = (session: Handle): void => {
    const next = closed ? undefined : waiters.shift();
    if (next !== undefined) {
      next.resolve(session);
      return;
    }
    busy--;
    idle.push(session);
    if (closed && busy === 0) drained?.();
  };

  return {
    async run<T>(operation: (session: Handle) => T | Promise<T>): Promise<T> {
      let session = await acquire();
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            ensureLoggedIn(session);
            return await operation(session);
          } catch (err) {
            const code = ckrCode(err);
            if (attempt > 0 || code === undefined) throw err;
            if (SESSION_LOST.has(code)) {
              closeSession(session);
              session = openSession();
              reopened++;
            } else if (LOGIN_LOST.has(code)) {
              login(session);
            } else {
              throw err;
            }
          }
        }
      } finally {
        release(session);
      }
    },
    stats: () => ({ logins, reopened }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new KeyError('CLOSED', 'key provider is closed'));
      if (busy > 0) await new Promise<void>((resolve) => (drained = resolve));
      // Closing the last session of this process on the token also ends the login (PKCS#11 C_CloseSession);
      // no C_Logout, which would log out every other provider of this process on the same token too.
      for (const session of [...all]) closeSession(session);
      idle.length = 0;
    },
  };
}
