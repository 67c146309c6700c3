// The browser bundle's entry: the page calls the workload through this global.
import { portableWorkload } from './portable-workload.ts'

;(globalThis as { __defsBench?: typeof portableWorkload }).__defsBench = portableWorkload
