// A test OpenID Connect provider (oidc-provider, with its development login and consent pages) for the desk's
// sign-in test: `node oidc-provider.mjs PORT REDIRECT_URI`. Any login name signs in, as that preferred_username.
// A separate process because oidc-provider is an ES module, which jest's CommonJS test files cannot load.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: 'relink-desk',
      client_secret: 'relink-desk-test-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  async findAccount(_ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id, preferred_username: id }) };
  },
  claims: { openid: ['sub'], profile: ['preferred_username'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['a test cookie key for the provider only'] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log('oidc provider ready'));
