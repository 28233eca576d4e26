// The oidc-provider configuration: the registered clients, the Sinergi API as the one resource server (RS256 JWT
// access tokens for its audience, with the claims the services read), our pages, durable storage and keys.
import Provider from 'oidc-provider';

import { cookieKeys, signingKeys } from './keys.js';
import { errorPage, language, loggedOutPage, logoutPage } from './pages.js';
import { FileStore, fileAdapter } from './store.js';
import { UserStore } from './users.js';

function lang(ctx) {
  return language(ctx.get('accept-language'), ctx.oidc?.params?.ui_locales);
}

export function createProvider(config) {
  const users = new UserStore(config.users_file);
  const store = new FileStore(`${config.state_dir}/store.json`);
  // The one resource server: an indicator (RFC 8707 wants an absolute URI) whose tokens carry the audience the
  // services check (auth_audience).
  const resource = config.resource;
  const resourceServer = {
    scope: '',
    audience: config.audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: config.access_token_ttl,
    jwt: { sign: { alg: 'RS256' } },
  };

  const provider = new Provider(config.issuer, {
    adapter: fileAdapter(store),
    clients: config.clients,
    jwks: signingKeys(config.state_dir),
    cookies: { keys: cookieKeys(config.state_dir) },
    findAccount: (_ctx, sub) => users.account(sub),
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    scopes: ['openid', 'profile', 'offline_access'],
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: 'RS256' },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    conformIdTokenClaims: true,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage({ lang: lang(ctx), form });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = loggedOutPage({ lang: lang(ctx) });
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new Provider.errors.InvalidTarget();
          return resourceServer;
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      const user = token.accountId && users.users.get(token.accountId);
      return user ? UserStore.tokenClaims(user) : undefined;
    },
    // Every registered client is first party: its people consent by signing in (see interactions.js), and a
    // client allowed the refresh_token grant gets a refresh token without asking for offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage({ lang: lang(ctx), error: out.error });
    },
    ttl: {
      AccessToken: config.access_token_ttl,
      AuthorizationCode: 60,
      IdToken: config.access_token_ttl,
      Interaction: 60 * 60,
      RefreshToken: 8 * 60 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
  });
  provider.proxy = false;
  return { provider, users };
}
