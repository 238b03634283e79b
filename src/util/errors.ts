// Errors are values: src/ throws QuarryError and commands/main.ts turns it into a message and an exit code.

/** Exit codes of the CLI contract. */
export const ExitCode = {
  ok: 0,
  /** A negative answer: no match, findings at/over --fail-on, a regression. */
  negative: 1,
  /** Bad usage, bad input, unreadable index. */
  usage: 2,
  interrupted: 130,
} as const;

export type ErrorCode =
  'usage' | 'bad-input' | 'not-found' | 'no-index' | 'unreadable-index' | 'locked' | 'no-space' | 'interrupted' | 'internal';

export class QuarryError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QuarryError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (code === 'interrupted' ? ExitCode.interrupted : code === 'internal' ? 1 : ExitCode.usage);
  }
}

/** Node's errno code of an error, if it has one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
