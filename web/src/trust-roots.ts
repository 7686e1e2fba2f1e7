// The web page's trust roots (docs/trust.md): roots the user loaded, each checked before it is kept, remembered in
// this browser's localStorage (only the files' text; nothing leaves the page), and which one pins the issuer now.
import type { Sha256 } from '../../src/proof/crypto/sha256.ts';
import type { SignatureVerifier } from '../../src/proof/crypto/signature-verifier.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { parseTrustRoot, type TrustRoot } from '../../src/proof/trust/trust-root.ts';

/** One remembered root. */
export interface RememberedRoot {
  /** Stable id: the log id and how many keys it pins. */
  readonly id: string;
  /** The file name it was loaded from, and what it pins. */
  readonly name: string;
  readonly root: TrustRoot;
}

const STORAGE_KEY = 'spark-processor.trust-roots.v1';
const SELECTED_KEY = 'spark-processor.trust-root.selected';
/** Most roots remembered. */
const MAX_ROOTS = 50;

type Stored = { name: string; text: string };

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled: roots last as long as the page
  }
}

/** The roots, kept across visits where the browser allows it. */
export function createTrustRoots(verifier: SignatureVerifier, sha256: Sha256) {
  let roots: Array<RememberedRoot & { text: string }> = [];
  let selected: string | undefined;
  const idOf = (r: TrustRoot) => `${toHex(r.logId)}/${r.keys.length}`;
  const save = () => {
    const s = storage();
    s?.setItem(STORAGE_KEY, JSON.stringify(roots.map((r): Stored => ({ name: r.name, text: r.text }))));
    if (selected === undefined) s?.removeItem(SELECTED_KEY);
    else s?.setItem(SELECTED_KEY, selected);
  };
  return {
    /** Reads the remembered roots, checking each again; returns how many no longer check out (forgotten). */
    load(): number {
      const s = storage();
      let stored: Stored[] = [];
      try {
        const raw: unknown = JSON.parse(s?.getItem(STORAGE_KEY) ?? '[]');
        if (Array.isArray(raw))
          stored = raw.filter((x): x is Stored => typeof x?.name === 'string' && typeof x?.text === 'string');
      } catch {
        stored = [];
      }
      let dropped = 0;
      roots = [];
      for (const st of stored.slice(0, MAX_ROOTS)) {
        const parsed = parseTrustRoot(st.text, verifier, sha256);
        if (!parsed.ok) {
          dropped += 1;
          continue;
        }
        roots.push({ id: idOf(parsed.value), name: st.name, root: parsed.value, text: st.text });
      }
      const want = s?.getItem(SELECTED_KEY) ?? undefined;
      selected = roots.some((r) => r.id === want) ? want : undefined;
      if (dropped > 0) save();
      return dropped;
    },
    /** Checks and remembers a root file, and pins it; the reason when it is not a trust root. */
    add(
      name: string,
      text: string,
    ):
      | { ok: true; value: { logHex: string; keys: number; accounts: string } }
      | { ok: false; reason: string } {
      const parsed = parseTrustRoot(text, verifier, sha256);
      if (!parsed.ok) return parsed;
      const id = idOf(parsed.value);
      roots = [...roots.filter((r) => r.id !== id), { id, name, root: parsed.value, text }].slice(-MAX_ROOTS);
      selected = id;
      save();
      const accounts = parsed.value.symbol?.accounts.map((a) => a.address).join(', ');
      return {
        ok: true,
        value: {
          logHex: toHex(parsed.value.logId),
          keys: parsed.value.keys.length,
          accounts: accounts === undefined || accounts === '' ? '' : `, Symbol account ${accounts}`,
        },
      };
    },
    list(): readonly RememberedRoot[] {
      return roots;
    },
    select(id: string): void {
      selected = roots.some((r) => r.id === id) ? id : undefined;
      save();
    },
    /** The pinned root, if any. */
    selected(): RememberedRoot | undefined {
      return roots.find((r) => r.id === selected);
    },
    /** Forgets the pinned root. */
    forget(): void {
      roots = roots.filter((r) => r.id !== selected);
      selected = undefined;
      save();
    },
  };
}
