// A real OpenID provider (oidc-provider, certified) for the suite, run as its own process: it is ESM-only and the hub's
// tests are CommonJS. Configuration is one JSON argument:
//   { port, issuer, audience, keyFile, clients: [{ id, secret, claims?, audience?, ttl? }] }
// It signs JWT access tokens (client_credentials grant, resource indicators) with the private JWK in keyFile, adding
// each client's `claims` (role, regions, …) to its tokens. Prints "listening <issuer>" once it serves.
import fs from 'node:fs';
import Provider from 'oidc-provider';

const cfg = JSON.parse(process.argv[2]);
const key = JSON.parse(fs.readFileSync(cfg.keyFile, 'utf8'));
const RESOURCE = 'https://hub.test/graphql';
const byId = new Map(cfg.clients.map((c) => [c.id, c]));

const provider = new Provider(cfg.issuer, {
  clients: cfg.clients.map((c) => ({
    client_id: c.id,
    client_secret: c.secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [key] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => {
        const c = byId.get(client.clientId);
        return {
          scope: 'api',
          audience: c?.audience ?? cfg.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: c?.ttl ?? 600,
          jwt: { sign: { alg: key.alg } },
        };
      },
    },
  },
  extraTokenClaims: (ctx, token) => byId.get(token.clientId)?.claims,
});
provider.on('server_error', (_ctx, err) => console.error('server_error', err));
const server = provider.listen(cfg.port, '127.0.0.1', () => console.log(`listening ${cfg.issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
