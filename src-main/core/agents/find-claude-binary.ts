/** Finds the Claude Code CLI: BATON_CLAUDE_BIN, then PATH, then the copy installed with Baton. */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export class ClaudeBinaryNotFoundError extends Error {
  override readonly name = 'ClaudeBinaryNotFoundError';
}

const INSTALL_HINT =
  'install it with `npm install -g @anthropic-ai/claude-code` (or `npm install` in the Baton checkout), or set BATON_CLAUDE_BIN to its path';

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPath(envPath: string | undefined): string | undefined {
  const names = process.platform === 'win32' ? ['claude.exe', 'claude.cmd', 'claude'] : ['claude'];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function fromNodeModules(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('@anthropic-ai/claude-code/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.claude;
    if (!bin) return undefined;
    const candidate = path.join(path.dirname(manifestPath), bin);
    return isExecutableFile(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

export interface ClaudeBinarySearch {
  /** BATON_CLAUDE_BIN, when set. */
  configured?: string;
  /** PATH. */
  searchPath?: string;
}

export function findClaudeBinary(
  { configured, searchPath }: ClaudeBinarySearch,
  bundled: () => string | undefined = fromNodeModules,
): string {
  if (configured !== undefined && configured !== '') {
    if (isExecutableFile(configured)) return path.resolve(configured);
    throw new ClaudeBinaryNotFoundError(
      `BATON_CLAUDE_BIN is set to ${configured}, which is not an executable file; fix it or unset it`,
    );
  }
  const found = fromPath(searchPath) ?? bundled();
  if (found) return found;
  throw new ClaudeBinaryNotFoundError(`Claude Code CLI not found: ${INSTALL_HINT}`);
}
