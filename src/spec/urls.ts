// What is wrong with a URL, said precisely: "must be an absolute URL" for a stray space or port
// 99999 sends people looking in the wrong place, and the request would only fail much later.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Why `value` is not an absolute http(s) URL a request can go to, or undefined when it is one. */
export function urlProblem(value: string): string | undefined {
  const space = /\s/.exec(value);
  if (space) {
    const where =
      space.index === 0 || space.index === value.length - 1
        ? 'at its start or end'
        : `after "${value.slice(Math.max(0, space.index - 12), space.index)}"`;
    return `contains whitespace ${where}: remove it (write a space inside a path as %20)`;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme || (!value.includes('//') && !['javascript', 'data', 'mailto', 'file'].includes(scheme))) {
    return `must be an absolute URL starting with https:// (e.g. https://${value.replace(/^\/+/, '') || 'api.example.org'})`;
  }
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@]*@)?(?:\[[^\]]*\]|[^/:?#]*):([^/?#]*)/i.exec(value)?.[1];
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `port ${port || '(empty)'} is not a port: ports run from 1 to 65535`;
  }
  if (!URL.canParse(value)) return 'is not a URL we can read: check the host name (letters, digits, dots and dashes)';
  const url = new URL(value);
  if ((url.protocol === 'https:' || url.protocol === 'http:') && !url.hostname)
    return 'has no host name: write https://host.example.org/…';
  if (url.username || url.password)
    return 'must not carry a user name or password: accounts and secrets go in the fields meant for them, as references';
  return undefined;
}
