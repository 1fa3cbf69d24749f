/** Exit codes of every command: 0 done, 1 the task (or lookup) ended otherwise, 2 bad input, 130 stopped by a signal. */
export const EXIT_NOT_COMPLETED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERRUPTED = 130;

/** A failure the CLI reports in one line, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
