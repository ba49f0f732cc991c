/**
 * Allow/deny glob lists on names (tools, prompts) and URIs (resources), with picomatch: `*`
 * matches within a `/`-separated segment, `**` across segments, dot segments included (a deny
 * glob must not miss `.env`). On URIs a lone `*` means every URI, as it does for names.
 * Decisions are cached per name: the same few names are asked about on every call. picomatch
 * is loaded only for lists that need it (not for the usual `allow: ['*']`), off the startup path.
 */
import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';
import { escapeControl } from './output/strip-control.js';

/** Why a name is refused: the glob list that decided, and a sentence for the refusal. */
export interface GlobRefusal {
  rule: string;
  reason: string;
}

export interface GlobLists {
  allow: readonly string[];
  deny: readonly string[];
}

/** Why: one matcher per list, built once; `undefined` = allowed, else why not. */
export type GlobDecider = (subject: string) => GlobRefusal | undefined;

const OPTIONS = { dot: true, windows: false } as const;

let picomatch: typeof Picomatch | undefined;
/** picomatch, loaded on first use: most servers have no glob that needs it, and `run` starts fast. */
export function loadPicomatch(): typeof Picomatch {
  picomatch ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch;
  return picomatch;
}
const CACHE_LIMIT = 1024;

/**
 * Why: the same decision for tools and prompts (names) and resources (URIs). `key` names the
 * manifest key in refusals (`tools`, `resources`, `prompts`); `noun` says what the subject is.
 */
export function createGlobDecider(
  lists: GlobLists,
  key: 'tools' | 'resources' | 'prompts',
  noun: string,
): GlobDecider {
  const uri = key === 'resources';
  const everything = (glob: string): boolean => glob === '**' || (uri && glob === '*');
  const allowAll = lists.allow.some(everything);
  if (allowAll && lists.deny.length === 0) return () => undefined;
  const compile = (globs: readonly string[]): ((subject: string) => boolean) => {
    if (globs.length === 0) return () => false;
    let matcher: ((subject: string) => boolean) | undefined;
    return (subject) => {
      matcher ??= loadPicomatch()(globs.map(uri ? widen : same), OPTIONS);
      return matcher(subject);
    };
  };
  const allowed = allowAll ? () => true : compile(lists.allow);
  const denied = compile(lists.deny);
  const cache = new Map<string, GlobRefusal | null>();
  const decide = (subject: string): GlobRefusal | null => {
    const forms = uri ? uriForms(subject) : [subject];
    if (forms.some((form) => denied(form))) {
      return { rule: `${key}.deny`, reason: `${noun} ${quote(subject)} is denied by ${key}.deny` };
    }
    if (!forms.every((form) => allowed(form))) {
      return {
        rule: `${key}.allow`,
        reason: `${noun} ${quote(subject)} is not in ${key}.allow`,
      };
    }
    return null;
  };
  return (subject) => {
    let decision = cache.get(subject);
    if (decision === undefined) {
      decision = decide(subject);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(subject, decision);
    }
    return decision ?? undefined;
  };
}

function same(glob: string): string {
  return glob;
}

function widen(glob: string): string {
  return glob === '*' ? '**' : glob;
}

/**
 * Why: a server reads a URI after decoding it, so `file:///pub/%2e%2e/secret` must meet the
 * globs as `file:///secret` too. Every form must be allowed and none denied.
 */
export function uriForms(uri: string): string[] {
  const forms = new Set([uri]);
  try {
    forms.add(new URL(uri).href);
  } catch {
    // Not a URL: only the text as sent.
  }
  for (const form of [...forms]) {
    try {
      forms.add(decodeURIComponent(form));
    } catch {
      // A stray `%`: the undecoded forms stand.
    }
  }
  return [...forms];
}

/** A subject quoted for a refusal, with anything unprintable escaped. */
export function quote(subject: string): string {
  const shown = subject.length > 200 ? `${subject.slice(0, 200)}…` : subject;
  return escapeControl(JSON.stringify(shown));
}
