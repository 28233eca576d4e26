// sinergi-oidc: the local OpenID Connect provider of sinergi-local. Usage: node src/server.js <config.json>
// (written by sinergi_local.identity: issuer, port, audience, clients, the user seed file, the state folder).
import fs from 'node:fs';
import http from 'node:http';

import { interactionHandler } from './interactions.js';
import { errorPage, language } from './pages.js';
import { createProvider } from './provider.js';
import { ensureDirectory } from './store.js';

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?$/;

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
ensureDirectory(config.state_dir);
const { provider, users } = createProvider(config);
const handleInteraction = interactionHandler(provider, users);
const callback = provider.callback();

provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const server = http.createServer(async (req, res) => {
  const match = INTERACTION.exec(new URL(req.url, config.issuer).pathname);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    await handleInteraction(req, res, match[1], match[2]);
  } catch (error) {
    // An expired or unknown interaction (SessionNotFound): the person goes back to the application and starts
    // again. The page names the error code only.
    const status = error.status || 500;
    if (status >= 500) console.error(error);
    if (!res.headersSent) {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    }
    const lang = language(req.headers['accept-language'], undefined);
    res.end(errorPage({ lang, error: status >= 500 ? 'server_error' : error.error || 'invalid_request' }));
  }
});

server.listen(config.port, config.host, () => {
  console.log(`sinergi-oidc listening on ${config.issuer} (${users.users.size} users)`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
