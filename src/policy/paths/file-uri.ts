/**
 * `file:` URIs as paths. The URI is parsed by the WHATWG URL rules Node itself uses (so `..`,
 * `%2e%2e` and `\` are read as a URL reader reads them), then fully percent-decoded — an encoded
 * `/` (`%2f`) becomes a separator rather than a refusal, so `..%2f` climbs as a lenient server
 * would let it, and the result is checked as that path.
 */
import type { PathFlavor } from './flavor.js';
import { found, refused, type PathResult } from './result.js';

export const FILE_URI = /^file:/i;

/** Why: the path a `file:` URI names on this host; refused for a remote host or bad encoding. */
export function fileUriToPath(uri: string, flavor: PathFlavor): PathResult {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return refused('is not a valid file: URI');
  }
  if (url.hostname !== '' && url.hostname !== 'localhost')
    return refused(`is a file: URI on another host (${url.hostname})`);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return refused('is a file: URI with malformed percent-encoding');
  }
  // `/C:/x` is drive C on Windows; on POSIX it stays a folder named `C:`.
  if (flavor === 'win32' && /^\/[A-Za-z]:(?:[\\/]|$)/.test(path)) {
    path = path.length === 3 ? `${path.slice(1)}\\` : path.slice(1);
  }
  return found(path);
}
