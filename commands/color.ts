// ANSI colours for terminal output, honouring NO_COLOR and FORCE_COLOR.

export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

export interface Paint {
  path(s: string): string;
  line(s: string): string;
  match(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  error(s: string): string;
  warning(s: string): string;
  note(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function paint(enabled: boolean): Paint {
  if (!enabled) {
    const id = (s: string) => s;
    return { path: id, line: id, match: id, dim: id, bold: id, error: id, warning: id, note: id };
  }
  return {
    path: wrap(35, 39),
    line: wrap(32, 39),
    match: (s) => `\u001b[1;31m${s}\u001b[0m`,
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    error: wrap(31, 39),
    warning: wrap(33, 39),
    note: wrap(36, 39),
  };
}
