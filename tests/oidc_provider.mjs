// A real OpenID provider for APOC's sign-in tests: the npm package oidc-provider on
// 127.0.0.1, with a test key it makes at start, the clients and accounts that the tests
// write into a JSON file, and the package's own login and consent pages.
//
//   node tests/oidc_provider.mjs CONFIG.json
//
// It prints one line, "listening <issuer>", once it serves. For the refusal tests,
// POST /__test__/mode {"idToken": "normal" | "other-key" | "wrong-audience" | "expired"} changes the
// ID tokens that the token endpoint hands out from then on: re-signed with a key the
// provider does not publish (under the published key's id), issued to another client, or
// expired an hour ago.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const modules = join(config.root, "node_modules");
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const { default: Provider } = await load("oidc-provider/lib/index.js");
const jose = await load("jose/dist/webapi/index.js");

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
}

const published = await signingKey("apoc-test-key");
const other = await signingKey("apoc-test-key"); // the same id, another key
let mode = "normal";

const server = createServer();
await new Promise((resolve) => server.listen(config.port || 0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [published] },
  cookies: { keys: ["apoc-test-cookie-key"] },
  scopes: ["openid", "profile", "email", "groups"],
  claims: {
    openid: ["sub"],
    profile: ["given_name", "family_name", "name", "preferred_username"],
    email: ["email"],
    groups: ["groups", "municipality_code"],
  },
  // The claims of the scopes in the ID token itself, as Entra ID and AD FS put them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

async function resign(idToken) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  let key = published;
  if (mode === "other-key") key = other;
  if (mode === "wrong-audience") payload.aud = "another-system";
  if (mode === "expired") {
    payload.iat -= 7200;
    payload.exp = payload.iat + 3600;
  }
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: header.alg, kid: header.kid, typ: header.typ })
    .sign(await jose.importJWK(key, "RS256"));
}

provider.use(async (ctx, next) => {
  if (ctx.path === "/__test__/mode" && ctx.method === "POST") {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    mode = JSON.parse(Buffer.concat(chunks).toString()).idToken;
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === "/token" && mode !== "normal" && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token) };
  }
});

server.on("request", provider.callback());
process.stdout.write(`listening ${issuer}\n`);
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
