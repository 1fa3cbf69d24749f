// The layering lint (lint/layers.js, configured in eslint.config.js) run through
// ESLint's own API with the project's real config, on virtual files placed in
// the real folders: what each layer may not import is an error, and what its
// allow-list names passes.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(__dirname, '../..');
const RULE = 'baton/layers';
let eslint: ESLint | undefined;

/** The baton/layers messages for `code` linted as if it lived at `filePath` (relative to the repo root). */
async function layerErrors(filePath: string, code: string) {
  eslint ??= new ESLint({ cwd: repoRoot, overrideConfigFile: path.join(repoRoot, 'eslint.config.js') });
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath), warnIgnored: true });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  const fatal = result.messages.filter((message) => message.fatal);
  expect(fatal, `${filePath} should parse`).toEqual([]);
  return result.messages
    .filter((message) => message.ruleId === RULE)
    .map(({ ruleId, message, severity }) => ({ ruleId, message, severity }));
}

const error = (message: string | RegExp) => ({
  ruleId: RULE,
  severity: 2,
  message: typeof message === 'string' ? message : expect.stringMatching(message),
});

const CORE_ALLOWED =
  "Layer 'core' may import only: layers contract, core, migrations; node built-ins; packages typeorm, better-sqlite3, uuid, zod, @pydantic/genai-prices.";
const CONTRACT_ALLOWED = "Layer 'contract' may import only: layers contract; packages zod.";
const RENDERER_ALLOWED =
  "Layer 'renderer' may import only: layers renderer, contract; packages react, react-dom, recharts, zustand, immer, @tanstack/react-virtual, @tanstack/react-query, zod, @git-diff-view/react, react-hook-form, @hookform/resolvers.";
const SERVICE_ALLOWED =
  "Layer 'service' may import only: layers service, core, contract; node built-ins; packages zod.";

describe('the layering lint rejects', () => {
  it('core importing the service or the renderer', async () => {
    const code = "import { x } from '../service/x';\nimport { y } from '../../src-renderer/x';\nexport { x, y };\n";
    expect(await layerErrors('src-main/core/virtual.ts', code)).toEqual([
      error(`Layer 'core' may not import '../service/x' (layer service). ${CORE_ALLOWED}`),
      error(`Layer 'core' may not import '../../src-renderer/x' (layer renderer). ${CORE_ALLOWED}`),
    ]);
  });

  it('core loading electron by dynamic import or require', async () => {
    const electron = `Layer 'core' may not import 'electron' (package electron, which only layer electron may import). ${CORE_ALLOWED}`;
    expect(await layerErrors('src-main/core/virtual.ts', "export const app = await import('electron');\n")).toEqual([
      error(electron),
    ]);
    const required =
      "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const app = require('electron');\n";
    expect(await layerErrors('src-main/core/virtual.ts', required)).toEqual([error(electron)]);
  });

  it('a computed import or require in a restricted layer', async () => {
    const computed = `Layer 'core' cannot check a computed import: give import()/require() a string literal. ${CORE_ALLOWED}`;
    expect(
      await layerErrors('src-main/core/virtual.ts', 'export const load = (name: string) => import(name);\n'),
    ).toEqual([error(computed)]);
    const required =
      "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const load = (name: string) => require(`./${name}`);\n";
    expect(await layerErrors('src-main/core/virtual.ts', required)).toEqual([error(computed)]);
  });

  it('the contract importing a host', async () => {
    const code = "export { a } from '../cli/x';\nexport * from '../server/x';\n";
    expect(await layerErrors('src-main/contract/virtual.ts', code)).toEqual([
      error(`Layer 'contract' may not import '../cli/x' (layer cli). ${CONTRACT_ALLOWED}`),
      error(`Layer 'contract' may not import '../server/x' (layer server). ${CONTRACT_ALLOWED}`),
    ]);
  });

  it('the renderer importing node built-ins, bare or node:', async () => {
    expect(await layerErrors('src-renderer/virtual.ts', "import 'fs';\nimport 'node:fs';\n")).toEqual([
      error(`Layer 'renderer' may not import 'fs' (a node built-in). ${RENDERER_ALLOWED}`),
      error(`Layer 'renderer' may not import 'node:fs' (a node built-in). ${RENDERER_ALLOWED}`),
    ]);
  });

  it('the renderer importing main beyond the contract, even for types', async () => {
    const code =
      "import { x } from '../src-main/service/x';\nimport type { Y } from '../src-main/core/x';\nexport { x };\nexport type { Y };\n";
    expect(await layerErrors('src-renderer/virtual.ts', code)).toEqual([
      error(`Layer 'renderer' may not import '../src-main/service/x' (layer service). ${RENDERER_ALLOWED}`),
      error(`Layer 'renderer' may not import '../src-main/core/x' (layer core). ${RENDERER_ALLOWED}`),
    ]);
  });

  it('the service importing electron', async () => {
    expect(await layerErrors('src-main/service/virtual.ts', "import 'electron';\n")).toEqual([
      error(
        `Layer 'service' may not import 'electron' (package electron, which only layer electron may import). ${SERVICE_ALLOWED}`,
      ),
    ]);
  });

  it('electron anywhere outside the electron host, even in unrestricted files', async () => {
    expect(await layerErrors('test/unit/virtual.ts', "import 'electron/main';\n")).toEqual([
      error("'electron/main' may be imported only from layer electron, not from test/unit/virtual.ts."),
    ]);
  });

  it('a relative import of a file in no layer', async () => {
    expect(await layerErrors('src-main/core/virtual.ts', "import '../../test/support/x';\n")).toEqual([
      error(
        `Layer 'core' may not import '../../test/support/x' (test/support/x, which is in no layer). ${CORE_ALLOWED}`,
      ),
    ]);
  });
});

describe('the layering lint allows', () => {
  it.each([
    ['zod in the contract', 'src-main/contract/virtual.ts', "import { z } from 'zod';\nexport const s = z.string();\n"],
    ['a sibling in the contract', 'src-main/contract/virtual.ts', "export * from './views';\n"],
    [
      'the contract from a renderer store',
      'src-renderer/stores/x.ts',
      "import { taskSpecSchema } from '../../src-main/contract/task-spec';\nexport { taskSpecSchema };\n",
    ],
    [
      'react subpaths and zustand subpaths in the renderer',
      'src-renderer/virtual.tsx',
      "import { createRoot } from 'react-dom/client';\nimport { createStore } from 'zustand/vanilla';\nimport { useShallow } from 'zustand/react/shallow';\nexport { createRoot, createStore, useShallow };\n",
    ],
    [
      'electron in the electron host',
      'src-main/electron/main.ts',
      "import { app } from 'electron';\nexport { app };\n",
    ],
    [
      'typeorm, node built-ins and migrations in core',
      'src-main/core/store/virtual.ts',
      "import { DataSource } from 'typeorm';\nimport fs from 'fs';\nimport path from 'node:path';\nimport { migrations } from '../../../migrations';\nexport { DataSource, fs, path, migrations };\n",
    ],
    [
      'the price data in core',
      'src-main/core/virtual.ts',
      "import { calcPrice } from '@pydantic/genai-prices';\nexport { calcPrice };\n",
    ],
    ['commander in the cli', 'src-main/cli/virtual.ts', "import { Command } from 'commander';\nexport { Command };\n"],
    ['the service from the cli', 'src-main/cli/virtual.ts', "export { openBaton } from '../service/open-baton';\n"],
    [
      'the server from the cli',
      'src-main/cli/virtual.ts',
      "export const load = () => import('../server/browser-server');\n",
    ],
    [
      'a template literal without expressions',
      'src-main/core/virtual.ts',
      'export const load = () => import(`./paths`);\n',
    ],
    [
      'anything but electron in unrestricted files',
      'test/unit/virtual.ts',
      "import '../../src-main/core/x';\nimport 'ws';\n",
    ],
  ])('%s', async (_what, filePath, code) => {
    expect(await layerErrors(filePath, code)).toEqual([]);
  });
});
