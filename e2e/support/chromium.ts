/**
 * Debian's Chromium, as the e2e specs and the browser benchmarks launch it:
 * headless, as root (no sandbox), without a GPU or any network of its own.
 */
export const CHROMIUM_PATH = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
