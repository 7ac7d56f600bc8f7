// An OAuth-protected MCP server built from the official TypeScript MCP SDK:
// the SDK's authorization server router (metadata, /authorize, /token,
// /register for dynamic client registration, /revoke), its protected
// resource metadata and its bearer-token middleware in front of a
// streamable HTTP MCP endpoint at /mcp. Tests only.
//
// It prints one JSON line {"url": ".../mcp", "issuer": "..."} on stdout
// once listening, and exits when stdin closes (so a killed test leaves
// nothing behind).
//
// Environment:
//   TOKEN_TTL        access token lifetime in seconds (default 3600)
//   STRICT_RESOURCE  "1": tokens must be issued for this server's URL
//                    (RFC 8707 resource indicator), else /token fails
//   DENY             "1": /authorize redirects back with access_denied
//   CLIENT           "id:secret": a pre-registered confidential client
//                    (any loopback redirect URI accepted)
//
// Test-only endpoints: POST /test/revoke-access revokes every access token
// (the next MCP request gets 401); GET /test/stats returns counters and the
// last authorize and token parameters.
import { randomUUID } from "node:crypto";
import express from "express";
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidGrantError, InvalidTokenError, AccessDeniedError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const ttl = Number(process.env.TOKEN_TTL || 3600);
const strict = process.env.STRICT_RESOURCE === "1";
const deny = process.env.DENY === "1";

const stats = { registrations: 0, authorizations: 0, codeExchanges: 0, refreshes: 0, mcpRequests: 0, unauthorized: 0, revocations: 0, lastAuthorize: null, lastToken: null };

class Clients {
  constructor() { this.clients = new Map(); }
  async getClient(id) { return this.clients.get(id); }
  async registerClient(meta) { stats.registrations++; this.clients.set(meta.client_id, meta); return meta; }
}

class Provider {
  constructor() {
    this.clientsStore = new Clients();
    this.codes = new Map();
    this.access = new Map();
    this.refresh = new Map();
  }
  async authorize(client, params, res) {
    stats.authorizations++;
    stats.lastAuthorize = { client_id: client.client_id, scopes: params.scopes || [], resource: params.resource?.href ?? null, redirect_uri: params.redirectUri };
    if (deny) throw new AccessDeniedError("the user denied access to demo-oauth");
    const code = randomUUID();
    this.codes.set(code, { client, params });
    const u = new URL(params.redirectUri);
    u.searchParams.set("code", code);
    if (params.state !== undefined) u.searchParams.set("state", params.state);
    res.redirect(u.toString());
  }
  async challengeForAuthorizationCode(_client, code) {
    const c = this.codes.get(code);
    if (!c) throw new InvalidGrantError("unknown authorization code");
    return c.params.codeChallenge;
  }
  issue(clientId, scopes, resource) {
    if (strict && resource !== expectedResource) throw new InvalidGrantError(`token must be requested for resource ${expectedResource}, got ${resource}`);
    const token = randomUUID();
    const refresh = randomUUID();
    this.access.set(token, { clientId, scopes, resource, expiresAt: Math.floor(Date.now() / 1000) + ttl });
    this.refresh.set(refresh, { clientId, scopes, resource });
    return { access_token: token, token_type: "bearer", expires_in: ttl, refresh_token: refresh, scope: scopes.join(" ") };
  }
  async exchangeAuthorizationCode(client, code, _verifier, _redirectUri, resource) {
    stats.codeExchanges++;
    const c = this.codes.get(code);
    if (!c || c.client.client_id !== client.client_id) throw new InvalidGrantError("unknown authorization code");
    this.codes.delete(code);
    stats.lastToken = { grant: "authorization_code", resource: resource?.href ?? null };
    return this.issue(client.client_id, c.params.scopes || [], resource?.href ?? c.params.resource?.href);
  }
  async exchangeRefreshToken(client, refreshToken, _scopes, resource) {
    stats.refreshes++;
    const r = this.refresh.get(refreshToken);
    if (!r || r.clientId !== client.client_id) throw new InvalidGrantError("refresh token is invalid or was already used");
    this.refresh.delete(refreshToken); // rotation: a refresh token works once
    stats.lastToken = { grant: "refresh_token", resource: resource?.href ?? null };
    return this.issue(client.client_id, r.scopes, resource?.href ?? r.resource);
  }
  async verifyAccessToken(token) {
    const t = this.access.get(token);
    if (!t) throw new InvalidTokenError("unknown or revoked access token");
    return { token, clientId: t.clientId, scopes: t.scopes, expiresAt: t.expiresAt, resource: t.resource ? new URL(t.resource) : undefined };
  }
  async revokeToken(_client, req) {
    stats.revocations++;
    this.access.delete(req.token);
    this.refresh.delete(req.token);
  }
}

const provider = new Provider();
if (process.env.CLIENT) {
  const [id, secret] = process.env.CLIENT.split(":");
  provider.clientsStore.clients.set(id, {
    client_id: id, client_secret: secret, client_id_issued_at: Math.floor(Date.now() / 1000),
    redirect_uris: ["http://127.0.0.1/callback", "http://localhost/callback"], token_endpoint_auth_method: "client_secret_post",
  });
}

const app = express();
const listener = app.listen(0, "127.0.0.1", (err) => {
  if (err) { console.error(err); process.exit(1); }
});
await new Promise((resolve) => listener.once("listening", resolve));
const base = `http://127.0.0.1:${listener.address().port}`;
const mcpURL = new URL("/mcp", base);
const expectedResource = mcpURL.href;

app.use(mcpAuthRouter({ provider, issuerUrl: new URL(base), resourceServerUrl: mcpURL, scopesSupported: ["mcp:tools", "mcp:read"], resourceName: "demo-oauth" }));
app.use(express.json());

app.post("/test/revoke-access", (_req, res) => { provider.access.clear(); res.json({ ok: true }); });
app.get("/test/stats", (_req, res) => res.json(stats));

const auth = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpURL) });
const countAuth = (req, res, next) => {
  stats.mcpRequests++;
  res.on("finish", () => { if (res.statusCode === 401) stats.unauthorized++; });
  next();
};

// Stateless: a fresh server and transport per request, so every request
// is checked by the bearer middleware on its own.
app.post("/mcp", countAuth, auth, async (req, res) => {
  const server = new McpServer({ name: "demo-oauth", version: "1.0.0" });
  server.registerTool("whoami", { description: "Who the bearer token belongs to" }, async () => ({
    content: [{ type: "text", text: JSON.stringify({ client_id: req.auth.clientId, scopes: req.auth.scopes, resource: req.auth.resource?.href ?? null }) }],
  }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.get("/mcp", countAuth, auth, (_req, res) => res.status(405).set("Allow", "POST").end());
app.delete("/mcp", countAuth, auth, (_req, res) => res.status(405).set("Allow", "POST").end());

process.stdout.write(JSON.stringify({ url: mcpURL.href, issuer: base }) + "\n");
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
