// The provider's keys, generated once into its state folder (under the git-ignored .run/) and reused after
// every restart: the RS256 signing key (so tokens issued before a restart still verify against the JWKS) and
// the keys that sign its cookies.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function createOnce(file, make) {
  try {
    // 'wx': never overwrite a key another start already wrote.
    fs.writeFileSync(file, JSON.stringify(make()), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function thumbprint(jwk) {
  // RFC 7638: SHA-256 of the required members in lexicographic order.
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

export function signingKeys(stateDir) {
  const key = createOnce(path.join(stateDir, 'signing-key.json'), () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    return { ...jwk, kid: thumbprint(jwk), alg: 'RS256', use: 'sig' };
  });
  return { keys: [key] };
}

export function cookieKeys(stateDir) {
  return createOnce(path.join(stateDir, 'cookie-keys.json'), () => [crypto.randomBytes(32).toString('base64url')]);
}
