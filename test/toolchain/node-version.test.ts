// The project runs on Node 24 with OpenSSL 3.5 (native ML-DSA), whatever Node the machine has.
import assert from 'node:assert/strict';
import { getCurves } from 'node:crypto';
import { test } from 'node:test';

test('tests run on Node 24 with OpenSSL 3.5+', () => {
  assert.match(process.version, /^v24\./);
  const [major, minor] = (process.versions.openssl ?? '').split('.').map(Number);
  assert.ok(
    (major ?? 0) > 3 || ((major ?? 0) === 3 && (minor ?? 0) >= 5),
    `OpenSSL ${process.versions.openssl}`,
  );
  assert.ok(getCurves().length > 0);
});
