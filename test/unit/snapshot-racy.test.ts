/**
 * A snapshot starts from a copy of the real index, and must see a file rewritten with the same size in the
 * second the index was written ("racily clean" in git's words), as git itself does with the real index.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workingTree } from '../../src-main/core/git/snapshot';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

describe('a snapshot of the work tree', () => {
  it('sees a same-size rewrite made in the second its index was written', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'baton-racy-'));
    git('init', '--quiet');
    const file = path.join(root, 'check.log');
    const second = new Date(Math.floor(Date.now() / 1000 - 60) * 1000);
    writeFileSync(file, '1111111111\n');
    utimesSync(file, second, second);
    git('add', 'check.log');
    // The index written in that same second, and the file rewritten in it too (as a check does after a snapshot).
    utimesSync(path.join(root, '.git', 'index'), second, second);
    writeFileSync(file, '2222222222\n');
    utimesSync(file, second, second);

    const tree = await workingTree(root);
    expect(git('cat-file', '-p', `${tree}:check.log`)).toBe('2222222222');
  });
});
