/** Entry to the configuration layer: load.ts's API plus `formatResolved` for `check`. */
export * from './load.js';
export { formatResolved } from './format.js';
export type * from './types.js';
