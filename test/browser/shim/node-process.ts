// node:process for a browser bundle: an environment with what the runner passes in the page's URL
// (e.g. SEGMENT_SEED), nothing else. It is a module, never a global: @defs/crypto must not take
// the page for Node.
const env: Record<string, string | undefined> = Object.fromEntries(new URLSearchParams(location.search))
export default { env }
export { env }
