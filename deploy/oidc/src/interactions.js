// The interactions oidc-provider sends the browser to: the sign-in page (GET shows it, POST checks the password)
// and consent, which first-party clients get at once: the grant covers what the client asked for.
import { language, signInPage } from './pages.js';

const MAX_FORM_BYTES = 16 * 1024;
// Password guessing: after this many failures in a row a user name is locked for a while, whatever is typed.
const MAX_FAILURES = 5;
const LOCK_MS = 5 * 60 * 1000;

class Throttle {
  constructor() {
    this.failures = new Map();
  }

  locked(username) {
    const entry = this.failures.get(username);
    return Boolean(entry && entry.count >= MAX_FAILURES && entry.until > Date.now());
  }

  failed(username) {
    const entry = this.failures.get(username);
    const count = entry && entry.until > Date.now() ? entry.count + 1 : 1;
    this.failures.set(username, { count, until: Date.now() + LOCK_MS });
  }

  succeeded(username) {
    this.failures.delete(username);
  }
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(Object.assign(new Error('form too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No script, no frame, nothing from elsewhere: only our inline style.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

async function grantConsent(provider, details) {
  const { prompt: { details: missing }, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

export function interactionHandler(provider, users) {
  const throttle = new Throttle();
  return async function handle(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      send(res, 400, 'interaction mismatch');
      return;
    }
    const lang = language(req.headers['accept-language'], details.params.ui_locales);
    const formAction = `/interaction/${uid}/login`;
    if (details.prompt.name === 'consent') {
      const grantId = await grantConsent(provider, details);
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'GET' && !action) {
      send(res, 200, signInPage({ lang, action: formAction, username: details.params.login_hint || '' }));
      return;
    }
    if (req.method !== 'POST' || action !== 'login') {
      send(res, 405, 'method not allowed');
      return;
    }
    const form = await readForm(req);
    const username = (form.get('username') || '').trim();
    const password = form.get('password') || '';
    const errors = {};
    if (!username) errors.username = 'missingUsername';
    if (!password) errors.password = 'missingPassword';
    if (Object.keys(errors).length === 0 && throttle.locked(username)) errors.username = 'locked';
    const user = Object.keys(errors).length === 0 ? await users.authenticate(username, password) : undefined;
    if (!user) {
      if (Object.keys(errors).length === 0) {
        errors.username = 'wrong';
        throttle.failed(username);
      }
      send(res, 200, signInPage({ lang, action: formAction, username, errors }));
      return;
    }
    throttle.succeeded(username);
    await provider.interactionFinished(req, res, { login: { accountId: user.username } },
      { mergeWithLastSubmission: false });
  };
}
