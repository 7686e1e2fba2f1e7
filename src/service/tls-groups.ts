// TLS key-exchange groups: names and IANA ids, and the server's preference list (SPARK_TLS_GROUPS) as OpenSSL 3.5
// reads it, checked at start so that a mistake is named with the groups known.

/** A named group: IANA id, the name used here (as OpenSSL's group list spells it) and other spellings. */
export interface TlsGroup {
  readonly id: number;
  readonly name: string;
  readonly aliases: readonly string[];
}

/** The groups OpenSSL 3.5 implements for TLS 1.3 (IANA "TLS Supported Groups"). */
export const TLS_GROUPS: readonly TlsGroup[] = [
  { id: 0x0017, name: 'P-256', aliases: ['secp256r1', 'prime256v1'] },
  { id: 0x0018, name: 'P-384', aliases: ['secp384r1'] },
  { id: 0x0019, name: 'P-521', aliases: ['secp521r1'] },
  { id: 0x001d, name: 'X25519', aliases: [] },
  { id: 0x001e, name: 'X448', aliases: [] },
  { id: 0x001f, name: 'brainpoolP256r1tls13', aliases: [] },
  { id: 0x0020, name: 'brainpoolP384r1tls13', aliases: [] },
  { id: 0x0021, name: 'brainpoolP512r1tls13', aliases: [] },
  { id: 0x0100, name: 'ffdhe2048', aliases: [] },
  { id: 0x0101, name: 'ffdhe3072', aliases: [] },
  { id: 0x0102, name: 'ffdhe4096', aliases: [] },
  { id: 0x0103, name: 'ffdhe6144', aliases: [] },
  { id: 0x0104, name: 'ffdhe8192', aliases: [] },
  { id: 0x0200, name: 'MLKEM512', aliases: [] },
  { id: 0x0201, name: 'MLKEM768', aliases: [] },
  { id: 0x0202, name: 'MLKEM1024', aliases: [] },
  { id: 0x11eb, name: 'SecP256r1MLKEM768', aliases: [] },
  { id: 0x11ec, name: 'X25519MLKEM768', aliases: [] },
  { id: 0x11ed, name: 'SecP384r1MLKEM1024', aliases: [] },
];

/** The group named `name` in any spelling (case-insensitive): OpenSSL's list names or Node's curve names. */
export function groupByName(name: string): TlsGroup | undefined {
  const n = name.toLowerCase();
  return TLS_GROUPS.find((g) => g.name.toLowerCase() === n || g.aliases.some((a) => a.toLowerCase() === n));
}

/**
 * Reads a group list in OpenSSL 3.5's syntax, as Node's `ecdhCurve` passes it on: names separated by ":",
 * tuples of equal preference separated by "/", an optional "?" (skip if unknown) or "*" (a client-side key share
 * hint) before a name. Returns the tuples of group ids in preference order, or what is wrong.
 */
export function parseGroupList(list: string): readonly (readonly number[])[] | string {
  const tuples: number[][] = [];
  const seen = new Set<number>();
  for (const part of list.split('/')) {
    const tuple: number[] = [];
    for (const raw of part.split(':')) {
      let name = raw.trim();
      let optional = false;
      while (name.startsWith('?') || name.startsWith('*')) {
        if (name.startsWith('?')) optional = true;
        name = name.slice(1);
      }
      if (name === '') return `"${list}" has an empty group name`;
      if (name.startsWith('-') || name.toUpperCase() === 'DEFAULT')
        return `"${raw.trim()}": list the groups explicitly (DEFAULT and removals are not supported)`;
      const group = groupByName(name);
      if (group === undefined) {
        if (optional) continue;
        return `"${name}" is not a known TLS group (known: ${TLS_GROUPS.map((g) => g.name).join(', ')})`;
      }
      if (seen.has(group.id)) return `"${name}" is listed twice`;
      seen.add(group.id);
      tuple.push(group.id);
    }
    if (tuple.length > 0) tuples.push(tuple);
  }
  if (tuples.length === 0) return `"${list}" names no group`;
  return tuples;
}
