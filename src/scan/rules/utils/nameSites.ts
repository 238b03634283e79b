// Where each name is declared or assigned in a file, so a rule can ask "does this value change inside that loop?".
import type * as t from '@babel/types';
import type { Visitors } from '../../rule.js';
import { patternNames } from './identifiers.js';
import type { FunctionNode } from './enclosing.js';

/**
 * Offsets of every declaration of, or assignment to, each name (by string: scopes are not modelled, which errs
 * towards "changes in the loop" and so towards not reporting). Feed it through `visitors`; ask after the walk.
 */
export class NameSites {
  private readonly sites = new Map<string, number[]>();

  readonly visitors: Visitors = {
    VariableDeclarator: (node) => this.addPattern(node.id),
    FunctionDeclaration: (node) => this.addFunction(node),
    FunctionExpression: (node) => this.addFunction(node),
    ArrowFunctionExpression: (node) => this.addFunction(node),
    ObjectMethod: (node) => this.addFunction(node),
    ClassMethod: (node) => this.addFunction(node),
    ClassPrivateMethod: (node) => this.addFunction(node),
    CatchClause: (node) => this.addPattern(node.param),
    AssignmentExpression: (node) => this.addPattern(node.left),
    UpdateExpression: (node) => this.addPattern(node.argument),
    ForInStatement: (node) => this.addPattern(node.left),
    ForOfStatement: (node) => this.addPattern(node.left),
  };

  /** Whether `name` is declared or assigned anywhere inside `scope`'s source range. */
  changesWithin(name: string, scope: t.Node): boolean {
    const offsets = this.sites.get(name);
    if (!offsets) return false;
    const start = scope.start ?? 0;
    const end = scope.end ?? 0;
    return offsets.some((offset) => offset >= start && offset < end);
  }

  /** Records the names a function's parameters bind. */
  private addFunction(fn: FunctionNode): void {
    for (const param of fn.params) this.addPattern(param);
  }

  /** Records the names `pattern` binds, at the pattern's offset. */
  private addPattern(pattern: t.Node | null | undefined): void {
    if (!pattern) return;
    const offset = pattern.start ?? 0;
    for (const name of patternNames(pattern)) {
      let list = this.sites.get(name);
      if (!list) this.sites.set(name, (list = []));
      list.push(offset);
    }
  }
}
