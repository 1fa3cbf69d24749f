/** Vitest global set-up: the tests run the `baton` command as built from the current source. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildCli(): void {
  execFileSync(process.execPath, [path.resolve(__dirname, '..', '..', 'scripts', 'build-cli.mjs')], {
    stdio: 'inherit',
  });
}
