/**
 * Finds an agent's CLI: its BATON_<AGENT>_BIN, then PATH, then the copy installed with Baton
 * (node_modules). A missing one is an error that says how to install it.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AgentKind } from '../../contract/task-spec';

export class AgentBinaryNotFoundError extends Error {
  override readonly name = 'AgentBinaryNotFoundError';
}
/** The name the Claude-only code knew it by. */
export const ClaudeBinaryNotFoundError = AgentBinaryNotFoundError;

interface AgentBinary {
  /** What people call it, for messages. */
  label: string;
  /** The environment variable that names the binary. */
  variable: string;
  /** The command's name on PATH. */
  command: string;
  /** The npm package that installs it, and the name of its bin there. */
  npmPackage: string;
}

export const AGENT_BINARIES: Record<AgentKind, AgentBinary> = {
  claude: {
    label: 'Claude Code CLI',
    variable: 'BATON_CLAUDE_BIN',
    command: 'claude',
    npmPackage: '@anthropic-ai/claude-code',
  },
  codex: { label: 'Codex CLI', variable: 'BATON_CODEX_BIN', command: 'codex', npmPackage: '@openai/codex' },
  gemini: { label: 'Gemini CLI', variable: 'BATON_GEMINI_BIN', command: 'gemini', npmPackage: '@google/gemini-cli' },
};

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPath(command: string, envPath: string | undefined): string | undefined {
  const names = process.platform === 'win32' ? [`${command}.exe`, `${command}.cmd`, command] : [command];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The bin of the agent's npm package, where Baton's node_modules holds it. */
function fromNodeModules(binary: AgentBinary): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve(`${binary.npmPackage}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[binary.command];
    if (!bin) return undefined;
    const candidate = path.join(path.dirname(manifestPath), bin);
    return isExecutableFile(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

export interface AgentBinarySearch {
  /** The agent's BATON_<AGENT>_BIN, when set. */
  configured?: string;
  /** PATH. */
  searchPath?: string;
}

export function findAgentBinary(
  agent: AgentKind,
  { configured, searchPath }: AgentBinarySearch,
  bundled: () => string | undefined = () => fromNodeModules(AGENT_BINARIES[agent]),
): string {
  const binary = AGENT_BINARIES[agent];
  const install = `install it with \`npm install -g ${binary.npmPackage}\` (or \`npm install\` in the Baton checkout)`;
  if (configured !== undefined && configured !== '') {
    if (isExecutableFile(configured)) return path.resolve(configured);
    throw new AgentBinaryNotFoundError(
      `${binary.variable} is set to ${configured}, which is not an executable file; fix it, or unset it and ${install}`,
    );
  }
  const found = fromPath(binary.command, searchPath) ?? bundled();
  if (found) return found;
  throw new AgentBinaryNotFoundError(`${binary.label} not found: ${install}, or set ${binary.variable} to its path`);
}

export function findClaudeBinary(search: AgentBinarySearch, bundled?: () => string | undefined): string {
  return findAgentBinary('claude', search, bundled);
}
