// Where the suite runs (the shared corpus from ../shared/bench/corpus.sh, resolved as bench/lib.sh does, or a tree
// given with --corpus) and which peers it can compare with (ripgrep, universal-ctags, cloc, GNU time).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { QuarryError, errnoCode } from '../util/errors.js';
import { packageRoot } from '../util/packageRoot.js';

/** The trees of a suite run. */
export interface SuiteTrees {
  /** Indexed and searched. */
  tree: string;
  /** Scanned: the corpus's eslint package (what issue 4 measures), or the given tree itself. */
  scanTree: string;
  /** True for the shared corpus, false for --corpus DIR. */
  shared: boolean;
}

/** ../shared/bench/corpus.sh next to quarry's package, as bench/lib.sh finds it. */
export function corpusScript(): string | null {
  const root = packageRoot();
  return root === null ? null : join(root, '..', 'shared', 'bench', 'corpus.sh');
}

/** `--corpus DIR` checked, or the shared corpus (built by corpus.sh on first use, which takes minutes). */
export async function resolveTrees(
  corpus: string | undefined,
  cwd: string,
  opts: { script?: string | null; env?: NodeJS.ProcessEnv } = {},
): Promise<SuiteTrees> {
  if (corpus !== undefined) {
    const tree = resolve(cwd, corpus);
    let isDir = false;
    try {
      isDir = statSync(tree).isDirectory();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (!isDir)
      throw new QuarryError('bad-input', `--corpus ${corpus}: no such directory (${tree})`, {
        hint: 'give the root of a source tree, or leave --corpus out for the shared corpus',
      });
    return { tree, scanTree: tree, shared: false };
  }
  const script = opts.script === undefined ? corpusScript() : opts.script;
  if (script === null || !existsSync(script))
    throw new QuarryError(
      'not-found',
      `no --corpus given and the shared corpus script ${script ?? '../shared/bench/corpus.sh'} is not there`,
      {
        hint: 'quarry bench --suite --corpus DIR (the suite indexes, searches and scans DIR)',
      },
    );
  const out = await runScript(script, opts.env ?? process.env);
  const tree = out.trim().split('\n').at(-1) ?? '';
  if (tree === '' || !existsSync(tree))
    throw new QuarryError('bad-input', `${script} printed "${tree}", which is not a directory`, {
      hint: 'run it by hand to see what went wrong, or pass --corpus DIR',
    });
  const scanTree = join(tree, 'eslint');
  if (!existsSync(scanTree))
    throw new QuarryError('bad-input', `${scanTree} not found: the corpus has no eslint package`, { hint: 'pass --corpus DIR' });
  return { tree, scanTree, shared: true };
}

function runScript(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('error', (e) =>
      reject(new QuarryError('bad-input', `cannot run ${script}: ${e.message}`, { cause: e, hint: 'pass --corpus DIR' })),
    );
    child.on('close', (code) => {
      if (code === 0) resolvePromise(out);
      else
        reject(
          new QuarryError('bad-input', `${script} failed (exit ${code}): ${err.trim().split('\n').at(-1) ?? ''}`, {
            hint: 'run it by hand to see what went wrong, or pass --corpus DIR',
          }),
        );
    });
  });
}

/** The peers found on PATH (absolute paths; null when missing). GNU time only at /usr/bin/time, as the scripts use it. */
export interface Peers {
  rg: string | null;
  ctags: string | null;
  cloc: string | null;
  time: string | null;
}

export function findPeers(env: NodeJS.ProcessEnv): Peers {
  return { rg: onPath('rg', env), ctags: onPath('ctags', env), cloc: onPath('cloc', env), time: executable('/usr/bin/time') };
}

/** The first executable `name` in env.PATH, or null. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = executable(join(dir, name));
    if (p !== null) return p;
  }
  return null;
}

function executable(path: string): string | null {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}
