/**
 * Requests that are streams, not calls (SPEC 5): a stateless-era `subscriptions/listen` stays open
 * for as long as the client listens, so `limits.callTimeout` does not bound it, it does not make a
 * silent server look busy, and when a child dies under it the stream is opened again on the next
 * one (the same request, sent again) instead of being answered -31054.
 */

/** The request with this method is a stream: answered only when it ends. */
export function isStream(method: string): boolean {
  return method === 'subscriptions/listen';
}
