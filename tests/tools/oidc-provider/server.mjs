// A real OpenID Connect provider for the log-in tests: panva's certified `oidc-provider`, on loopback.
//
//   node server.mjs CONFIG.json
//
// CONFIG holds the port, the provider's private signing key (JWK), the clients and the accounts (id → claims).
// The interaction pages are a bare log-in form (any account id, no password) that grants the requested scopes.
// `POST /__test/tamper` with {"mode": "aud" | "exp" | "sig" | "nonce" | ""} makes the token endpoint hand out a
// forged ID token on its next responses (re-signed with the real key, or with a stranger's key for "sig"), as a
// man in the middle would, so the tests can show that the relying party refuses each kind.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';
import * as jose from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts;
let tamperMode = '';

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [config.signing_jwk] },
  cookies: { keys: ['samhandling-test-only'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    hpr: ['hpr_number'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    pushedAuthorizationRequests: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Sign out</title></head><body><main>
          <h1>Sign out of the test provider?</h1>${form}
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
          </main></body></html>`;
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = '<!DOCTYPE html><html lang="en"><head><title>Signed out</title></head><body><main><h1>Signed out</h1></main></body></html>';
      },
    },
  },
  ttl: { IdToken: 600, AccessToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => {
    if (!accounts[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><main><h1>${out.error}</h1><p>${out.error_description || ''}</p></main></body></html>`;
  },
});
provider.proxy = false;

const strangerKey = await jose.generateKeyPair('RS256');
const realKey = await jose.importJWK(config.signing_jwk, 'RS256');

async function forge(idToken) {
  const claims = jose.decodeJwt(idToken);
  const header = jose.decodeProtectedHeader(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = realKey;
  if (tamperMode === 'aud') claims.aud = 'someone-else';
  if (tamperMode === 'exp') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (tamperMode === 'nonce') claims.nonce = 'a-nonce-from-an-earlier-sign-in';
  if (tamperMode === 'sig') key = strangerKey.privateKey;
  return new jose.SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid }).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  if (tamperMode && ctx.path === '/token' && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token) };
  }
});

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(page('Test provider sign-in', `<form method="post" action="/interaction/${uid}">
      <label for="login">Account</label> <input id="login" name="login" autocomplete="off">
      <button type="submit">Sign in</button></form>`));
    return;
  }
  const form = await readForm(req);
  const accountId = form.get('login');
  if (!accounts[accountId]) {
    res.statusCode = 400;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(page('Unknown account', '<p>No such account at the test provider.</p>'));
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, {
    mergeWithLastSubmission: false,
  });
}

const callback = provider.callback();
createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (match) return await interaction(req, res, match[1]);
    if (url.pathname === '/__test/tamper' && req.method === 'POST') {
      tamperMode = (await readForm(req)).get('mode') || '';
      res.end('ok');
      return;
    }
    return callback(req, res);
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}).listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
