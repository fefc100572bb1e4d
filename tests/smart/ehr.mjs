// The authorization server of a test EHR for BoneCare's SMART App Launch 2.x tests: npm's
// oidc-provider, run by Node on 127.0.0.1 only, next to the FHIR server of
// tests/smart/fhir_store.py whose base URL is the SMART `iss` and the audience of every access
// token issued here.
//
// Started by tests/smart/ehr.py with two files named in the environment:
//   SMART_EHR_CONFIG  read once: {port, fhir_base, keys (private JWKs, the first signs),
//                     clients}
//   SMART_EHR_STATE   read at every request: {users: {login: claims}, launches: {id: context},
//                     standalone_patient, faults: {...}}
// so that a test can create launches, change a user or make the server misbehave between two
// launches without a restart.
//
// What it stands for, in SMART terms:
// - an EHR launch: the EHR made a launch (a row of `launches`) and opened the app with
//   `launch` and `iss`; the app's authorization request names that launch and `aud` = iss;
// - a standalone launch: scope `launch/patient` without `launch`; the "patient picker" is
//   `standalone_patient` in the state;
// - the token response carries the launch context (patient, encounter, need_patient_banner,
//   appContext) next to the granted `scope`, and the access token (a JWT for the FHIR server)
//   carries the `patient` claim that the FHIR server restricts reads to.
//
// Faults (state.faults), each changing only what it names:
//   no_patient: true         the token response has no `patient`
//   id_token_aud: "..."      the ID token's aud is changed, re-signed with the provider's key
//   id_token_other_key: true the ID token is re-signed with a fresh key that is not in the
//                            JWKS (same alg and kid), as a forger would
//   access_token_ttl: N      access tokens live N seconds (300 by default)
//   scopes_granted: [...]    only these of the asked scopes are granted

import { readFileSync } from 'node:fs';

import * as jose from 'jose';
import Provider, { errors, interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.env.SMART_EHR_CONFIG, 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const FHIR_BASE = config.fhir_base;
const DEFAULT_TTL = 300;

// The SMART scopes this EHR knows: the OpenID / launch ones and the FHIR resource ones.
const OIDC_SCOPES = ['openid', 'fhirUser', 'launch', 'launch/patient'];
const RESOURCE_SCOPES = [
  'patient/Patient.r', 'patient/Condition.rs', 'patient/Observation.rs',
  'patient/AllergyIntolerance.rs', 'patient/MedicationStatement.rs', 'patient/Procedure.rs',
  'patient/DocumentReference.c',
];
const ALL_SCOPES = [...OIDC_SCOPES, ...RESOURCE_SCOPES];

// The launch context of each authorization code, from the authorization request that named
// (or, standalone, implied) the launch; read back when that code is exchanged at /token.
const contextByCode = new Map();
const counts = { auth: 0, token: 0, jwks: 0 };

function state() {
  return JSON.parse(readFileSync(process.env.SMART_EHR_STATE, 'utf8'));
}

function faults() {
  return state().faults || {};
}

function accessTokenTtl() {
  return faults().access_token_ttl ?? DEFAULT_TTL;
}

async function findAccount(ctx, id) {
  const claims = (state().users || {})[id];
  if (!claims) return undefined;
  return { accountId: id, claims: async () => ({ ...claims, sub: id }) };
}

// The scopes granted for an authorization request: all that were asked and are known, or,
// under the fault scopes_granted, only those of them on that list.
function grantedScopes(asked) {
  const limit = faults().scopes_granted;
  return [...new Set(String(asked || '').split(' '))]
    .filter((scope) => ALL_SCOPES.includes(scope))
    .filter((scope) => !limit || limit.includes(scope));
}

// The EHR's users approve on the apps' behalf: grant what is asked, with no consent page. A
// new grant for each authorization request, so that a fault set between two launches in one
// browser session applies to the second.
async function loadExistingGrant(ctx) {
  const { client, session, params } = ctx.oidc;
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId,
                                              accountId: session.accountId });
  const scopes = grantedScopes(params.scope);
  grant.addOIDCScope(scopes.filter((scope) => OIDC_SCOPES.includes(scope)).join(' '));
  grant.addResourceScope(FHIR_BASE, scopes.join(' '));
  await grant.save();
  return grant;
}

// The launch context an authorization request stands for, or undefined (no launch asked).
function launchContext(params) {
  const scopes = String(params.scope || '').split(' ');
  const current = state();
  if (params.launch) return (current.launches || {})[params.launch];
  if (scopes.includes('launch/patient') && current.standalone_patient) {
    return { patient: current.standalone_patient, need_patient_banner: true };
  }
  return undefined;
}

function contextOfToken(ctx) {
  const code = ctx.oidc?.params?.code;
  return code ? contextByCode.get(code) : undefined;
}

// SMART extends the authorization request with `launch` (which EHR launch this is) and `aud`
// (the FHIR server the app means to use): a request for another server is refused, as is an
// unknown launch.
const extraParams = {
  aud(ctx, value) {
    if (value !== FHIR_BASE) {
      throw new errors.InvalidRequest(`aud must be this EHR's FHIR base URL ${FHIR_BASE}`);
    }
  },
  launch(ctx, value) {
    if (value !== undefined && !(state().launches || {})[value]) {
      throw new errors.InvalidRequest('unknown launch');
    }
  },
};

function clientJwa(defaults) {
  return [...new Set([...defaults, 'ES384', 'RS384'])];
}

const policy = interactionPolicy.base();
policy.remove('consent');

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  findAccount,
  loadExistingGrant,
  extraParams,
  interactions: { policy },
  claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
  scopes: OIDC_SCOPES,
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  enabledJWA: {
    clientAuthSigningAlgValues: clientJwa(['RS256', 'PS256', 'ES256']),
  },
  ttl: {
    AccessToken: () => accessTokenTtl(),
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    IdToken: 3600,
  },
  extraTokenClaims: async (ctx, token) => {
    if (token.kind !== 'AccessToken') return undefined;
    const context = contextOfToken(ctx);
    if (!context?.patient) return undefined;
    return { patient: context.patient, ...(context.encounter ? { encounter: context.encounter } : {}) };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => FHIR_BASE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== FHIR_BASE) throw new errors.InvalidTarget();
        return {
          scope: ALL_SCOPES.join(' '),
          audience: FHIR_BASE,
          accessTokenTTL: accessTokenTtl(),
          accessTokenFormat: 'jwt',
        };
      },
    },
  },
  cookies: { keys: ['bonecare-test-ehr-cookie-key'] },
});
provider.proxy = false;

// A code handed to the app (at /auth, or at the resume after the login form) is tied to the
// launch its authorization request named.
function rememberCode(ctx) {
  const location = ctx.response.get('Location');
  const params = ctx.oidc?.params;
  if (!location || !params || !location.includes('code=')) return;
  const code = new URL(location).searchParams.get('code');
  const context = launchContext(params);
  if (code && context) contextByCode.set(code, context);
}

// The token response carries the launch context next to the tokens.
async function answerToken(ctx) {
  const context = contextOfToken(ctx) || {};
  const current = faults();
  const body = { ...ctx.body };
  if (context.patient && !current.no_patient) body.patient = context.patient;
  if (context.encounter) body.encounter = context.encounter;
  if (context.patient) body.need_patient_banner = context.need_patient_banner ?? true;
  if (context.appContext !== undefined) body.appContext = context.appContext;
  if (body.id_token) body.id_token = await tampered(body.id_token, current);
  // An EHR answering with a token already spent (expires_in 0): the app must not use it.
  if (current.expires_in !== undefined) body.expires_in = current.expires_in;
  ctx.body = body;
}

// Loopback only: a test reads the counts and sees the server's own errors.
provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/counts') {
    ctx.body = counts;
    return;
  }
  if (ctx.path in { '/auth': 1, '/token': 1, '/jwks': 1 }) counts[ctx.path.slice(1)] += 1;
  await next();
  if (ctx.status === 302 || ctx.status === 303) rememberCode(ctx);
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.access_token) {
    await answerToken(ctx);
  }
});

// An ID token with one thing wrong: another aud (signed with the provider's own key), or
// signed with a key the provider never published.
async function tampered(idToken, current) {
  if (!current.id_token_aud && !current.id_token_other_key) return idToken;
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  if (current.id_token_aud) claims.aud = current.id_token_aud;
  let key;
  if (current.id_token_other_key) {
    ({ privateKey: key } = await jose.generateKeyPair(header.alg));
  } else {
    key = await jose.importJWK(config.keys.find((jwk) => jwk.kid === header.kid), header.alg);
  }
  return new jose.SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid })
    .sign(key);
}

provider.on('server_error', (ctx, error) => console.error('ehr server_error', error));
provider.listen(config.port, '127.0.0.1', () => console.log(`ehr ready at ${issuer}`));
