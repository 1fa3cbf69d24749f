/**
 * Walking a transcript folder: links back to a parent folder (the loop that once made the import run
 * forever), a file reached by two paths, and what cannot be looked at, reported rather than fatal.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkTranscripts } from '../../src-main/core/usage/transcript-walk';

let root: string;
const jsonl = (name: string) => name.endsWith('.jsonl');

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-walk-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, text = '{}\n'): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('walkTranscripts', () => {
  it('lists every wanted file once, in path order, with its size', () => {
    write('b/two.jsonl', '{"a":1}\n');
    write('a/one.jsonl');
    write('a/deeper/three.jsonl');
    write('a/notes.txt');
    const walk = walkTranscripts(root, jsonl);
    expect(walk.files.map((file) => path.relative(root, file.path))).toEqual([
      'a/deeper/three.jsonl',
      'a/one.jsonl',
      'b/two.jsonl',
    ]);
    expect(walk.files[2]!.size).toBe(8);
    expect(walk.skipped).toEqual([]);
  });

  it('walks each real folder once through links back to its parents, however many', () => {
    write('project/session.jsonl');
    // Two links to the root and one to the project: without a guard the paths grow without end.
    symlinkSync(root, path.join(root, 'project', 'up'));
    symlinkSync(root, path.join(root, 'project', 'up-again'));
    symlinkSync(path.join(root, 'project'), path.join(root, 'project', 'self'));
    const walk = walkTranscripts(root, jsonl);
    expect(walk.files.map((file) => file.path)).toEqual([path.join(root, 'project', 'session.jsonl')]);
    expect(walk.skipped).toEqual([]);
  });

  it('counts a file reached by two paths once, under its path without links, whatever links are added', () => {
    const real = write('z-real/session.jsonl');
    const listed = () => walkTranscripts(root, jsonl).files.map((file) => path.relative(root, file.path));
    expect(listed()).toEqual(['z-real/session.jsonl']);
    symlinkSync(real, path.join(root, 'a-link.jsonl'));
    mkdirSync(path.join(root, 'm'));
    symlinkSync(path.join(root, 'z-real'), path.join(root, 'm', 'linked-folder'));
    symlinkSync(path.join(root, 'z-real'), path.join(root, 'zz-link'));
    expect(listed()).toEqual(['z-real/session.jsonl']);
  });

  it('walks a folder only a link leads to, under that link', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'baton-walk-outside-'));
    try {
      writeFileSync(path.join(outside, 's.jsonl'), '{}\n');
      symlinkSync(outside, path.join(root, 'elsewhere'));
      expect(walkTranscripts(root, jsonl).files.map((file) => path.relative(root, file.path))).toEqual([
        'elsewhere/s.jsonl',
      ]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('reports what it cannot look at and goes on; a dangling link is no file', () => {
    write('ok/session.jsonl');
    symlinkSync(path.join(root, 'loop.jsonl'), path.join(root, 'loop.jsonl'));
    symlinkSync(path.join(root, 'gone'), path.join(root, 'dangling.jsonl'));
    const walk = walkTranscripts(root, jsonl);
    expect(walk.files.map((file) => path.relative(root, file.path))).toEqual(['ok/session.jsonl']);
    expect(walk.skipped).toEqual([{ path: path.join(root, 'loop.jsonl'), reason: 'ELOOP' }]);
  });

  it('finds nothing, and says nothing, where the folder does not exist', () => {
    expect(walkTranscripts(path.join(root, 'missing'), jsonl)).toEqual({ files: [], skipped: [] });
    write('a-file');
    expect(walkTranscripts(path.join(root, 'a-file'), jsonl).skipped).toEqual([
      { path: path.join(root, 'a-file'), reason: 'not a folder' },
    ]);
  });
});
