/**
 * Where `up --http` (and `--metrics`) listens: `[HOST:]PORT` parsed, and whether the host is a
 * loopback address, which decides whether plain HTTP is allowed (SPEC section 8: a non-loopback
 * address needs TLS).
 */
import { isIP } from 'node:net';

export interface ListenAddress {
  /** As given (an IPv6 address without its brackets); 127.0.0.1 when none was. */
  host: string;
  /** 0 asks the system for a free port. */
  port: number;
}

/** Why: `PORT`, `HOST:PORT` or `[IPv6]:PORT`; otherwise the reason it is none of them. */
export function parseListenAddress(text: string): ListenAddress | { problem: string } {
  const given = text.trim();
  const bad = { problem: `'${text}' is not [HOST:]PORT (for example 8931 or 127.0.0.1:8931)` };
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(given);
  const colon = given.lastIndexOf(':');
  const [host, portText] =
    bracketed !== null
      ? [bracketed[1]!, bracketed[2]!]
      : colon === -1
        ? ['127.0.0.1', given]
        : [given.slice(0, colon), given.slice(colon + 1)];
  if (!/^\d{1,5}$/.test(portText) || host === '') return bad;
  const port = Number(portText);
  if (port > 65535) return { problem: `port ${port} is over 65535` };
  if (bracketed === null && host.includes(':')) {
    return { problem: `'${text}': an IPv6 address goes in brackets, as [::1]:${port}` };
  }
  if (bracketed !== null && isIP(host) !== 6) return bad;
  return { host, port };
}

/** Why: plain HTTP is only for this machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host as it goes in a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
