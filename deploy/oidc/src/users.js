// The user store: the demo users of the seed file (written by sinergi-local from deploy/oidc/demo-users.json),
// each with a scrypt hash of their password. Passwords are only ever compared with the hash, in constant time.
import crypto from 'node:crypto';
import fs from 'node:fs';

const CLAIMS = {
  agency_id: 'sinergi_agency',
  agency_type: 'sinergi_agency_type',
  province_code: 'sinergi_province',
  regency_code: 'sinergi_regency',
};
// Spent on an unknown user name too, so the answer takes as long whether or not the user exists.
const DUMMY_HASH = `scrypt$16384$8$1$${crypto.randomBytes(16).toString('base64url')}$${crypto.randomBytes(32).toString('base64url')}`;

function scrypt(password, salt, length, options) {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function verifyPassword(stored, password) {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64url');
  const N = Number(n);
  const derived = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r),
  });
  return crypto.timingSafeEqual(derived, expected);
}

export class UserStore {
  constructor(file) {
    const { users } = JSON.parse(fs.readFileSync(file, 'utf8'));
    this.users = new Map(users.map((user) => [user.username, user]));
  }

  // The user whose password matches, or undefined.
  async authenticate(username, password) {
    const user = this.users.get(username);
    const matches = await verifyPassword(user?.password_hash ?? DUMMY_HASH, password);
    return user && matches ? user : undefined;
  }

  // What the services read from an access token (shared.auth._principal).
  static tokenClaims(user) {
    const claims = { sinergi_roles: [...user.roles] };
    for (const [field, claim] of Object.entries(CLAIMS)) {
      if (user[field]) claims[claim] = user[field];
    }
    return claims;
  }

  account(sub) {
    const user = this.users.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: user.name, preferred_username: user.username, ...UserStore.tokenClaims(user) };
      },
    };
  }
}
