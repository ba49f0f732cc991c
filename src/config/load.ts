/**
 * The configuration API the other commands use (SPEC §2–§4): discovery, loading, ad-hoc runs,
 * units. It is on `run`'s startup path, so it re-exports only what that path needs;
 * `formatResolved` (for `check`) is exported from index.ts.
 */
export { type ConfigContext, contextFromProcess } from './context.js';
export { findManifest, MANIFEST_NAME } from './discover.js';
export { loadManifest } from './manifest.js';
export { resolveAdHoc, type AdHocOptions } from './ad-hoc.js';
export { parseDuration, parseSize } from './units.js';
