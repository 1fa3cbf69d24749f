/// <reference types="vite/client" />
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The renderer's sources as text, read by Vite (this project type-checks as browser code, without node's modules).
const sources = import.meta.glob<string>('../../src-renderer/**/*.{ts,tsx}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** The modules a file imports or re-exports from, resolved to paths from the repository root. */
function importsOf(key: string, code: string): string[] {
  const file = key.replace(/^\.\.\/\.\.\//, '');
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true);
  const specifiers = source.statements.flatMap((node) =>
    (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
    node.moduleSpecifier &&
    ts.isStringLiteral(node.moduleSpecifier)
      ? [node.moduleSpecifier.text]
      : [],
  );
  return specifiers.map((specifier) => {
    if (!specifier.startsWith('.')) return specifier;
    const parts = file.split('/').slice(0, -1);
    for (const part of specifier.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.') parts.push(part);
    }
    return parts.join('/');
  });
}

// Lint (lint/layers.js) keeps the renderer to the contract and the contract to zod; this keeps the one way in.
describe('what the renderer takes from main', () => {
  it('comes through src-renderer/contract.ts alone', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    const fromMain = Object.entries(sources).flatMap(([key, code]) =>
      importsOf(key, code)
        .filter((target) => target.startsWith('src-main/'))
        .map((target) => `${key.replace(/^\.\.\/\.\.\//, '')} → ${target}`),
    );
    expect(fromMain.length).toBeGreaterThan(0);
    for (const line of fromMain) expect(line).toMatch(/^src-renderer\/contract\.ts → src-main\/contract\/[\w-]+$/);
  });
});
