"""Sign-in for the local platform: a standards-conformant OpenID Connect provider (``deploy/oidc``, around the
npm package ``oidc-provider``) run as a process like PostgreSQL and the broker, its demo users, and the relying
party side (Authlib) that signs them in."""
