/** The outcome of one resolution step: a path, or why the value is refused (a phrase). */
export interface Refused {
  ok: false;
  reason: string;
}

export type PathResult = { ok: true; path: string } | Refused;

export const found = (path: string): PathResult => ({ ok: true, path });
export const refused = (reason: string): Refused => ({ ok: false, reason });
