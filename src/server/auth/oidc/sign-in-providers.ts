import * as client from 'openid-client';
import type { OidcProviderConfig } from '../../config-notify.js';

/** What a finished sign-in tells us about the person. */
export interface ExternalIdentity {
  /** The provider's stable id of the user (OIDC `sub`, GitHub/Gitee numeric id). */
  subject: string;
  login: string | null;
  email: string | null;
  name: string | null;
}

/** The endpoints of the OAuth2-only forges (no OpenID Connect discovery). */
const OAUTH2_ONLY = {
  github: {
    base: 'https://github.com',
    api: 'https://api.github.com',
    authorize: '/login/oauth/authorize',
    token: '/login/oauth/access_token',
    user: '/user',
    scope: 'read:user user:email',
  },
  gitee: {
    base: 'https://gitee.com',
    api: 'https://gitee.com/api/v5',
    authorize: '/oauth/authorize',
    token: '/oauth/token',
    user: '/user',
    scope: 'user_info emails',
  },
} as const;

export const PROVIDER_LABEL: Record<OidcProviderConfig['kind'], string> = {
  oidc: 'OpenID Connect',
  github: 'GitHub',
  gitee: 'Gitee',
  gitlab: 'GitLab',
  gitea: 'Gitea',
};

/**
 * One configured sign-in provider, on openid-client (a certified relying party: it checks the
 * state, the PKCE verifier, the ID token's signature, issuer, audience and nonce).
 * OIDC providers — Keycloak, Casdoor, Authing, and GitLab and Gitea, which are OpenID providers
 * at their base URL — are found by discovery. GitHub and Gitee are plain OAuth2: their endpoints
 * are fixed (under `baseUrl`/`apiUrl` for Enterprise or private installs) and the user comes
 * from their user endpoint. Discovery happens on first use and is cached.
 */
export class SignInProvider {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(readonly config: OidcProviderConfig) {}

  get isOidc(): boolean {
    return this.config.kind !== 'github' && this.config.kind !== 'gitee';
  }

  get label(): string {
    return this.config.name ?? PROVIDER_LABEL[this.config.kind];
  }

  async authorizationUrl(redirectUri: string, state: string, nonce: string, verifier: string): Promise<URL> {
    const config = await this.clientConfig();
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: this.scope(),
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    if (this.isOidc) params.nonce = nonce;
    return client.buildAuthorizationUrl(config, params);
  }

  /** Exchanges the code of `callbackUrl` and says who signed in; throws when anything is off. */
  async finish(
    callbackUrl: URL,
    redirectUri: string,
    expected: { state: string; nonce: string; verifier: string },
  ): Promise<ExternalIdentity> {
    const config = await this.clientConfig();
    const tokens = await client.authorizationCodeGrant(
      config,
      callbackUrl,
      {
        pkceCodeVerifier: expected.verifier,
        expectedState: expected.state,
        ...(this.isOidc ? { expectedNonce: expected.nonce, idTokenExpected: true } : {}),
      },
      { redirect_uri: redirectUri },
    );
    if (this.isOidc) {
      const claims = tokens.claims();
      if (!claims) throw new Error('the provider sent no ID token');
      let info: Record<string, unknown> = { ...claims };
      if (!claims.email || !claims.preferred_username) {
        // Some providers put only `sub` in the ID token; the rest is at the userinfo endpoint.
        info = { ...info, ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)) };
      }
      return {
        subject: claims.sub,
        login: str(info.preferred_username) ?? str(info.nickname),
        email: info.email_verified === false ? null : str(info.email),
        name: str(info.name),
      };
    }
    const kind = this.config.kind as keyof typeof OAUTH2_ONLY;
    const api =
      this.config.apiUrl ?? (this.config.baseUrl ? `${this.config.baseUrl}/api/v3` : OAUTH2_ONLY[kind].api);
    const res = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${api}${OAUTH2_ONLY[kind].user}`),
      'GET',
    );
    if (!res.ok) throw new Error(`the ${this.label} user endpoint answered ${res.status}`);
    const user = (await res.json()) as Record<string, unknown>;
    if (user.id === undefined || user.id === null) throw new Error(`the ${this.label} user has no id`);
    return { subject: String(user.id), login: str(user.login), email: str(user.email), name: str(user.name) };
  }

  private scope(): string {
    if (this.config.scopes) return this.config.scopes.join(' ');
    if (this.isOidc) return 'openid profile email';
    return OAUTH2_ONLY[this.config.kind as keyof typeof OAUTH2_ONLY].scope;
  }

  private clientConfig(): Promise<client.Configuration> {
    this.configuration ??= this.build().catch((error) => {
      this.configuration = null; // a provider that was down is asked again next time
      throw error;
    });
    return this.configuration;
  }

  private async build(): Promise<client.Configuration> {
    const { config } = this;
    const auth = client.ClientSecretPost(config.clientSecret);
    if (this.isOidc) {
      const issuer = new URL(config.issuer ?? config.baseUrl ?? '');
      // Plain http only for a provider on this machine (development, tests); never across a network.
      const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname);
      return client.discovery(
        issuer,
        config.clientId,
        undefined,
        auth,
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    }
    const kind = config.kind as keyof typeof OAUTH2_ONLY;
    const base = config.baseUrl ?? OAUTH2_ONLY[kind].base;
    const configuration = new client.Configuration(
      {
        issuer: base,
        authorization_endpoint: `${base}${OAUTH2_ONLY[kind].authorize}`,
        token_endpoint: `${base}${OAUTH2_ONLY[kind].token}`,
      },
      config.clientId,
      undefined,
      auth,
    );
    if (new URL(base).protocol === 'http:' && isLoopback(new URL(base).hostname))
      client.allowInsecureRequests(configuration);
    return configuration;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
