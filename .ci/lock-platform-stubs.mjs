// Adds lock-file entries for optional platform packages (other OS/CPU builds of biome, buf, lmdb, …)
// that the registry reachable here does not serve. npm then records no entry for them, and `npm ci`
// refuses the lock ("Missing: … from lock file"). A stub with the package's os/cpu/libc lets npm ci
// skip it by platform, as it would with a full entry. Run after any `npm install`: node .ci/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

/** os, cpu and libc implied by a platform package name such as cli-linux-x64-musl or lmdb-darwin-arm64. */
function platformOf(name) {
  const m =
    /(android|darwin|freebsd|linux|openbsd|sunos|win32|aix)-(arm64|armv7|arm|x64|ia32|ppc64|s390x|riscv64|loong64)(-(musl|gnu|msvc|gnueabihf))?$/.exec(
      name,
    );
  if (!m) return undefined;
  const out = { os: [m[1]], cpu: [m[2] === 'armv7' ? 'arm' : m[2]] };
  if (m[4] === 'musl' || m[4] === 'gnu') out.libc = [m[4] === 'musl' ? 'musl' : 'glibc'];
  return out;
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (packages[at] !== undefined) continue;
    const platform = platformOf(dep);
    if (platform === undefined)
      throw new Error(`${key}: optional ${dep} missing from the lock and not a platform package`);
    packages[at] = { version: range, ...platform, optional: true, ...(entry.dev ? { dev: true } : {}) };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock: ${added} platform stub(s) added`);
