/**
 * lowlight as the diff viewer imports it (`createLowlight(all)`), with highlight.js's common languages (about
 * 40: TypeScript, Python, Go, Rust, Java, C, shell, SQL, JSON, YAML, Markdown…) in place of all ~190, which
 * made the diff viewer's chunk about 1 MB. A file in another language shows unhighlighted. The window's build
 * aliases `lowlight` here (electron.vite.config.ts); only the diff viewer imports it.
 */
export { grammars as all } from '../node_modules/lowlight/lib/common.js';
export { createLowlight } from '../node_modules/lowlight/lib/index.js';
