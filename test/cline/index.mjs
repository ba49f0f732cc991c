// The tests' door to Cline's client: test/helpers/cline-client.ts imports this file by path, so
// `@cline/core` resolves from this package's own node_modules, not the project's.
export * from '@cline/core';
