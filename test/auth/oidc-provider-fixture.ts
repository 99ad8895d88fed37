/**
 * A real OpenID Provider (the certified `oidc-provider` library) on loopback, with one confidential
 * client, PKCE required, and its development login/consent pages (any login, any password): the
 * login typed becomes the user's `sub`, `preferred_username` and e-mail local part.
 */
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from '../support/free-port.js';

export interface TestIssuer {
  issuer: string;
  close(): Promise<void>;
}

export async function startIssuer(opts: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}): Promise<TestIssuer> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: `${sub}@example.com`,
        email_verified: true,
        preferred_username: sub,
        name: sub.toUpperCase(),
      }),
    }),
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
