// Node's global Buffer, which some test files use without importing it: esbuild's inject
// replaces every free `Buffer` in the bundle with this export.
export { Buffer } from 'buffer'
