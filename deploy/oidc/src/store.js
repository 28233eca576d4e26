// Durable storage for oidc-provider's models (sessions, grants, codes, tokens, interactions) in one JSON file:
// a single local process keeps everything in memory and writes the whole file atomically (temporary file, then
// rename) after every change, so sessions and refresh tokens survive a restart and a crash leaves the last
// complete state. Expired entries are dropped on load and on write. Not for more than one process.
import fs from 'node:fs';
import path from 'node:path';

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest']);

function now() {
  return Math.floor(Date.now() / 1000);
}

export class FileStore {
  constructor(file) {
    this.file = file;
    this.entries = new Map();
    if (fs.existsSync(file)) {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const [key, entry] of Object.entries(stored)) this.entries.set(key, entry);
    }
    this.dropExpired();
  }

  dropExpired() {
    const at = now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt && entry.expiresAt <= at) this.entries.delete(key);
    }
  }

  save() {
    this.dropExpired();
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.entries)), { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }

  get(key) {
    const entry = this.entries.get(key);
    if (!entry || (entry.expiresAt && entry.expiresAt <= now())) return undefined;
    return entry;
  }

  find(predicate) {
    for (const [key, entry] of this.entries) {
      if (predicate(key, entry) && (!entry.expiresAt || entry.expiresAt > now())) return [key, entry];
    }
    return undefined;
  }
}

// The adapter interface oidc-provider calls, one instance per model name, all on one FileStore.
export function fileAdapter(store) {
  return class FileAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? now() + expiresIn : undefined;
      store.entries.set(this.key(id), { payload, expiresAt, grantable: GRANTABLE.has(this.model) });
      store.save();
    }

    async find(id) {
      return store.get(this.key(id))?.payload;
    }

    async findByUid(uid) {
      const found = store.find((key, entry) => key.startsWith(`${this.model}:`) && entry.payload.uid === uid);
      return found?.[1].payload;
    }

    async findByUserCode(userCode) {
      const found = store.find((key, entry) => key.startsWith(`${this.model}:`)
        && entry.payload.userCode === userCode);
      return found?.[1].payload;
    }

    async consume(id) {
      const entry = store.get(this.key(id));
      if (entry) {
        entry.payload.consumed = now();
        store.save();
      }
    }

    async destroy(id) {
      store.entries.delete(this.key(id));
      store.save();
    }

    async revokeByGrantId(grantId) {
      for (const [key, entry] of store.entries) {
        if (entry.grantable && entry.payload.grantId === grantId) store.entries.delete(key);
      }
      store.save();
    }
  };
}

export function ensureDirectory(directory) {
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  return path.resolve(directory);
}
