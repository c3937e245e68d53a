// Where Alma's API lives: the hosted regional gateways from Ex Libris' OpenAPI `servers` list. An institution's own
// *.alma.exlibrisgroup.com domain answers every key with an HTML 401, so only these hosts (or an explicit URL, such
// as the simulator's) make sense.

export const ALMA_BASE_PATH = '/almaws/v1';

export const ALMA_REGION_HOSTS = {
  na: 'https://api-na.hosted.exlibrisgroup.com',
  eu: 'https://api-eu.hosted.exlibrisgroup.com',
  ap: 'https://api-ap.hosted.exlibrisgroup.com',
  aps: 'https://api-aps.hosted.exlibrisgroup.com',
  ca: 'https://api-ca.hosted.exlibrisgroup.com',
  // Note the .com.cn top-level domain.
  cn: 'https://api-cn.hosted.exlibrisgroup.com.cn',
} as const;

export type AlmaRegion = keyof typeof ALMA_REGION_HOSTS;

export function isAlmaRegion(value: string): value is AlmaRegion {
  return Object.prototype.hasOwnProperty.call(ALMA_REGION_HOSTS, value);
}

/** A base URL without a trailing slash and without the /almaws/v1 base path (the client adds it). */
export function normaliseBaseUrl(url: string): string {
  const parsed = new URL(url.trim());
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`Alma base URL must be http(s), got ${parsed.protocol}`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const withoutBase = path.endsWith(ALMA_BASE_PATH) ? path.slice(0, -ALMA_BASE_PATH.length) : path;
  return `${parsed.origin}${withoutBase}`;
}

export function almaBaseUrlForRegion(region: string): string {
  const key = region.trim().toLowerCase();
  if (!isAlmaRegion(key)) {
    throw new Error(`Unknown Alma region "${region}": use one of ${Object.keys(ALMA_REGION_HOSTS).join(', ')}`);
  }
  return ALMA_REGION_HOSTS[key];
}

/** An explicit base URL wins (e.g. the simulator's); otherwise the region picks the hosted gateway. */
export function baseUrlFor(where: { baseUrl?: string; region?: string }): string {
  const explicit = where.baseUrl?.trim();
  if (explicit) return normaliseBaseUrl(explicit);
  const region = where.region?.trim();
  if (region) return almaBaseUrlForRegion(region);
  throw new Error(
    `Set ALMA_BASE_URL (e.g. http://127.0.0.1:8080) or ALMA_REGION (${Object.keys(ALMA_REGION_HOSTS).join(', ')})`,
  );
}

/** The same from the environment: ALMA_BASE_URL, else ALMA_REGION. */
export function almaBaseUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  return baseUrlFor({ baseUrl: env.ALMA_BASE_URL, region: env.ALMA_REGION });
}
