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

/**
 * A reader that closed the pipe (`baton settings --help | head`) has had all it wanted: the write that finds the
 * pipe closed ends the command quietly, where Node would otherwise crash on the unhandled EPIPE.
 */
export function exitQuietlyOnClosedPipe(
  stream: Pick<NodeJS.WriteStream, 'on'>,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(0);
  });
}
