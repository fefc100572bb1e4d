// A real OpenID Connect provider (npm oidc-provider) for the sign-in tests, on 127.0.0.1 only.
//
// Started by tests/identity/provider.py with two files named in the environment:
//   OIDC_TEST_CONFIG  read once: {port, keys (private JWKs, the first signs), clients}
//   OIDC_TEST_STATE   read at every request: {users: {login: claims}, faults: {...}}
// so that a test can change a user's claims, or make the token endpoint misbehave, between
// two sign-ins without a restart. A key rotation is a restart with another key set.
//
// The faults stand for a provider (or an attacker in the middle) handing out an ID token that
// BoneCare must refuse: the token endpoint's answer is re-signed with the provider's own key
// after one claim is changed (aud; exp or auth_time in the past; acr), so only that claim is
// wrong.

import { readFileSync } from 'node:fs';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.env.OIDC_TEST_CONFIG, 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const counts = { jwks: 0, token: 0 };

function state() {
  return JSON.parse(readFileSync(process.env.OIDC_TEST_STATE, 'utf8'));
}

// As CIS2 does, the national RBAC claims are given at the userinfo endpoint only.
const USERINFO_ONLY = ['nhsid_nrbac_roles', 'selected_roleid'];

async function findAccount(ctx, id) {
  const claims = state().users[id];
  if (!claims) return undefined;
  return {
    accountId: id,
    claims: async (use) => {
      const given = { ...claims, sub: id };
      if (use !== 'userinfo') USERINFO_ONLY.forEach((name) => delete given[name]);
      return given;
    },
  };
}

// First-party test clients: grant what they ask for, so no consent page is shown.
async function loadExistingGrant(ctx) {
  const { client, session, params } = ctx.oidc;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(params.scope);
  await grant.save();
  return grant;
}

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  findAccount,
  loadExistingGrant,
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email'],
    roles: ['roles', 'groups'],
    nationalrbacaccess: ['nhsid_nrbac_roles'],
    selectedrole: ['selected_roleid'],
  },
  scopes: ['openid', 'profile', 'email', 'roles', 'nationalrbacaccess', 'selectedrole'],
  // Claims asked for by scope go into the ID token too, as Entra ID puts app roles there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ['bonecare-test-provider-cookie-key'] },
});
provider.proxy = false;

// Loopback only: a test reads the counts and sees the provider's own errors.
provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/counts') {
    ctx.body = counts;
    return;
  }
  if (ctx.path === '/jwks') counts.jwks += 1;
  if (ctx.path === '/token') counts.token += 1;
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body.id_token = await tampered(ctx.body.id_token, state().faults || {});
  }
});

async function tampered(idToken, faults) {
  if (!faults.aud && !faults.exp_offset && !faults.auth_time_offset && !faults.acr) return idToken;
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  if (faults.aud) claims.aud = faults.aud;
  if (faults.exp_offset) {
    const now = Math.floor(Date.now() / 1000);
    claims.exp = now + faults.exp_offset;
    claims.iat = Math.min(claims.iat, claims.exp - 60);
  }
  if (faults.auth_time_offset) claims.auth_time = Math.floor(Date.now() / 1000) + faults.auth_time_offset;
  if (faults.acr) claims.acr = faults.acr;
  const jwk = config.keys.find((key) => key.kid === header.kid);
  const key = await jose.importJWK(jwk, header.alg);
  return new jose.SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid }).sign(key);
}

provider.on('server_error', (ctx, error) => console.error('provider server_error', error));
provider.listen(config.port, '127.0.0.1', () => console.log(`provider ready at ${issuer}`));
