// The URL rules e-Signet applies: Apache commons UrlValidator(ALLOW_ALL_SCHEMES + ALLOW_LOCAL_URLS)
// for redirect URIs, hibernate's @URL for the logo, and Spring's AntPathMatcher for redirect matching.

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const URL_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const PATH = /^(\/[-\w:@&?=+,.!/~*'%$;()]*)?$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// Characters java.net.URI refuses anywhere in a URI (it runs before the validator's own regexes).
const URI_ILLEGAL = /[\s"<>\\^`{|}]/;

function isValidHost(host: string): boolean {
  const ip = IPV4.exec(host);
  if (ip) return ip.slice(1).every((octet) => Number(octet) <= 255);
  const labels = host.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  // ALLOW_LOCAL_URLS admits single-label hosts (localhost, service names); longer names need an alphabetic TLD.
  return labels.length === 1 || /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!);
}

function isValidAuthority(authority: string | undefined): boolean {
  if (!authority) return false;
  const withoutUser = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d*))?$/.exec(withoutUser);
  if (v6) return v6[2] === undefined || v6[2] === '' || Number(v6[2]) <= 65535;
  const m = /^([A-Za-z0-9.-]*)(?::(\d*))?$/.exec(withoutUser);
  if (!m || !isValidHost(m[1]!)) return false;
  return m[2] === undefined || m[2] === '' || Number(m[2]) <= 65535;
}

function climbsAboveRoot(path: string): boolean {
  let depth = 0;
  for (const seg of path.split('/').filter(Boolean)) {
    if (seg === '..') depth -= 1;
    else if (seg !== '.') depth += 1;
    if (depth < 0) return true;
  }
  return false;
}

/** `@RedirectURL`: any scheme (custom app schemes too), local hosts allowed, `*` allowed in the path. */
export function isValidRedirectUrl(value: string | null | undefined): boolean {
  if (value === null || value === undefined || URI_ILLEGAL.test(value)) return false;
  const m = URL_PARTS.exec(value);
  if (!m) return false;
  const [, scheme, authority, path = '', query] = m;
  if (!scheme || !SCHEME.test(scheme)) return false;
  if (scheme.toLowerCase() !== 'file' && !isValidAuthority(authority)) return false;
  if (!PATH.test(path) || path.includes('//') || climbsAboveRoot(path)) return false;
  return query === undefined || !/\s/.test(query);
}

/** hibernate `@URL`: whatever java.net.URL accepts, i.e. a protocol the JDK has a handler for. */
export function isValidJavaUrl(value: string): boolean {
  const protocol = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (!protocol || !['http', 'https', 'ftp', 'file', 'jar', 'mailto'].includes(protocol)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function segmentRegex(segment: string): RegExp {
  let source = '';
  for (const part of segment.split(/(\{[^}]*\}|\*|\?)/)) {
    if (part === '*') source += '.*';
    else if (part === '?') source += '.';
    else if (/^\{[^}]*\}$/.test(part)) {
      const colon = part.indexOf(':');
      source += colon > 0 ? `(${part.slice(colon + 1, -1)})` : '(.*)';
    } else source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function matchSegments(pattern: string[], pi: number, path: string[], si: number): boolean {
  if (pi === pattern.length) return si === path.length;
  if (pattern[pi] === '**') {
    for (let k = si; k <= path.length; k++) if (matchSegments(pattern, pi + 1, path, k)) return true;
    return false;
  }
  if (si === path.length) return false;
  return segmentRegex(pattern[pi]!).test(path[si]!) && matchSegments(pattern, pi + 1, path, si + 1);
}

/** Spring AntPathMatcher with `/` as separator, applied to whole URIs (`http://localhost:5000/**`). */
export function antMatch(pattern: string, path: string): boolean {
  if (pattern.startsWith('/') !== path.startsWith('/')) return false;
  const patternDirs = pattern.split('/').filter(Boolean);
  const pathDirs = path.split('/').filter(Boolean);
  if (!matchSegments(patternDirs, 0, pathDirs, 0)) return false;
  return patternDirs[patternDirs.length - 1] === '**' || pattern.endsWith('/') === path.endsWith('/');
}

/** `IdentityProviderUtil.validateRedirectURI`: both URIs must be valid and the registered pattern must match. */
export function matchesRegisteredRedirectUri(registered: string[], requested: string | undefined): boolean {
  if (!requested || !isValidRedirectUrl(requested)) return false;
  return registered.some((uri) => isValidRedirectUrl(uri) && antMatch(uri, requested));
}
