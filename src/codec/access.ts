// Who may use the codec server. It can decrypt every patron's data in Temporal, so it answers only:
// - callers with a token the library's OIDC provider signed (the Web UI passes the signed-in user's access token
//   along, TEMPORAL_CODEC_PASS_ACCESS_TOKEN): signature checked against the provider's published keys (JWKS), and
//   issuer, audience and expiry checked, with `jose`;
// - or, without sign-on, callers from the configured networks (the client address as the trusted proxies report
//   it, see `trust proxy` in codec-server.ts);
// - or, with neither configured, callers on this machine (the codec server's default: it listens on loopback).
// A refusal says why in general terms and never echoes the token.
import { BlockList, isIP } from 'node:net';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

export interface CodecAccessOptions {
  /** The OIDC issuer URL, e.g. https://login.library.example.edu/realms/staff. */
  oidcIssuer?: string;
  /** The `aud` a token must carry (the Web UI's client id, or an API audience); unchecked when unset. */
  oidcAudience?: string;
  /** The issuer's JWKS URL; found through its discovery document when unset. */
  jwksUrl?: string;
  /** CIDR ranges or addresses, e.g. 10.20.0.0/16 or 2001:db8::/32. */
  allowedNetworks?: string[];
}

export type AccessVerdict = { allowed: true; who: string } | { allowed: false; status: 401 | 403; reason: string };

export interface AccessRequest {
  /** The Authorization header, as sent. */
  authorization?: string;
  /** The caller's address (express's req.ip, after the trusted proxies). */
  ip?: string;
}

const cidr = z.string().transform((entry, ctx) => {
  const [address, bits, extra] = entry.trim().split('/');
  const family = isIP(address ?? '');
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : Number(bits);
  if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    ctx.addIssue({ code: 'custom', message: `"${entry}" is not an address or a CIDR range like 10.20.0.0/16` });
    return z.NEVER;
  }
  return { address: address!, prefix, type: family === 6 ? ('ipv6' as const) : ('ipv4' as const) };
});

/** RELINK_CODEC_ALLOWED_NETWORKS: comma-separated CIDR ranges, each checked at start. */
export const networkListSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .pipe(z.array(cidr).min(1, 'name at least one network'))
  .transform((ranges) => ranges.map((r) => `${r.address}/${r.prefix}`));

function blockListOf(networks: string[]): BlockList {
  const list = new BlockList();
  for (const entry of networks) {
    const parsed = cidr.parse(entry);
    list.addSubnet(parsed.address, parsed.prefix, parsed.type);
  }
  return list;
}

function addressIn(list: BlockList, ip: string): boolean {
  const plain = ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

const LOOPBACK = blockListOf(['127.0.0.0/8', '::1/128']);

/** The OIDC discovery document's jwks_uri, fetched once and kept. */
async function discoverJwksUrl(issuer: string): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the OIDC discovery document ${url} answered ${res.status}`);
  const body = z.object({ jwks_uri: z.url() }).safeParse(await res.json());
  if (!body.success) throw new Error(`the OIDC discovery document ${url} names no jwks_uri`);
  return new URL(body.data.jwks_uri);
}

/** Decides each request; built once per codec server. */
export function codecAccess(options: CodecAccessOptions): (req: AccessRequest) => Promise<AccessVerdict> {
  const networks = options.allowedNetworks?.length ? blockListOf(options.allowedNetworks) : undefined;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () => {
    keys ??= (options.jwksUrl ? Promise.resolve(new URL(options.jwksUrl)) : discoverJwksUrl(options.oidcIssuer!))
      .then((url) => createRemoteJWKSet(url))
      .catch((err) => {
        keys = undefined; // the provider may be back on the next request
        throw err;
      });
    return keys;
  };

  return async (req) => {
    if (networks && !(req.ip && addressIn(networks, req.ip))) {
      return { allowed: false, status: 403, reason: 'this network may not use the codec server' };
    }
    if (options.oidcIssuer) {
      const match = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? '');
      if (!match) return { allowed: false, status: 401, reason: 'sign in: no bearer token was sent' };
      try {
        const { payload } = await jwtVerify(match[1]!, await keySet(), {
          issuer: options.oidcIssuer,
          ...(options.oidcAudience ? { audience: options.oidcAudience } : {}),
        });
        return { allowed: true, who: String(payload.sub ?? 'a signed-in user') };
      } catch (err) {
        const expired = err instanceof joseErrors.JWTExpired;
        const known = err instanceof joseErrors.JOSEError;
        return {
          allowed: false,
          status: 401,
          reason: expired
            ? 'the token has expired: sign in again'
            : known
              ? 'the token is not valid'
              : 'the token cannot be checked now',
        };
      }
    }
    if (networks) return { allowed: true, who: `a caller from ${req.ip}` };
    if (req.ip && addressIn(LOOPBACK, req.ip)) return { allowed: true, who: 'a caller on this machine' };
    return { allowed: false, status: 403, reason: 'only callers on this machine may use this codec server' };
  };
}
