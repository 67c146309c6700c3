// Ids as they appear in paths, keys and logs.
export { fromHex, toHex } from '@defs/crypto'
