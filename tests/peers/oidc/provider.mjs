// A real OpenID Connect provider for the test suite (npm's oidc-provider, pinned in
// package.json): one confidential client, the people given on the command line, a groups claim.
// Usage: node provider.mjs CONFIG_JSON
//   CONFIG_JSON = {"port", "clientId", "clientSecret", "redirectUris", "postLogoutRedirectUris",
//                  "people": {"<login>": {"email", "email_verified", "name", "groups"}}}
// Prints "ready <issuer>" once it listens on 127.0.0.1.
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.clientId,
      client_secret: config.clientSecret,
      redirect_uris: config.redirectUris,
      post_logout_redirect_uris: config.postLogoutRedirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    groups: ["groups"],
  },
  // Claims in the ID token itself as well as at the userinfo endpoint, like most providers.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  // The built-in login and consent pages: any password is accepted for a known login.
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ["test-only-cookie-key"] },
  async findAccount(ctx, id) {
    const person = config.people[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
});
provider.proxy = false;
provider.listen(config.port, "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});
