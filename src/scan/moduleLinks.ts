// The imports and exports of one file, gathered during the scan's single walk of its AST (runRules) instead of by the
// index's collectSymbols, whose symbol table and doc comments the scan does not use. Same lists, same order.
import type { Node } from '@babel/types';
import { NON_CHILD_KEY_SET } from '../util/astKeys.js';
import { FUNCTION_SCOPES, isFunction, isModuleExports, nameOf, patternNames } from '../util/astNames.js';
import { isNode } from './astChildren.js';

/** A node read loosely by key, as collectSymbols reads it. */
type Loose = Node & Record<string, unknown>;

/** Declarations whose own name an `export` (default or named) in front of them exports. */
const NAMED_DECLARATIONS: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'TSDeclareFunction',
  'ClassDeclaration',
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSEnumDeclaration',
  'TSModuleDeclaration',
]);

/**
 * Collects, node by node as the walk enters them, what collectSymbols (src/index/parse.ts) reports as `imports` and
 * `exports`: module specifiers of import/export-from/require()/import()/`import x = require()`, in walk order, and
 * the exported names. The one thing it cannot tell without the symbol table is whether `export { a as b }` also
 * exports `a` (collectSymbols does when `a` names any symbol of the file): `needsSymbols` says when that question
 * arises, and the caller then asks collectSymbols.
 */
export class ModuleLinks {
  readonly imports = new Set<string>();
  readonly exports = new Set<string>();
  /** Local names of `export { local as exported }` without a source. */
  private readonly exportedLocals: string[] = [];

  /** Called for each node the walk enters; `ancestors` run from the File down to the parent. */
  enter(node: Node, ancestors: readonly Node[]): void {
    const n = node as Loose;
    switch (n.type) {
      case 'ImportDeclaration':
        this.addImport(n.source, ancestors);
        break;
      case 'ExportAllDeclaration':
        this.addImport(n.source, ancestors);
        this.exports.add('*');
        break;
      case 'ExportNamedDeclaration': {
        if (n.source) this.addImport(n.source, ancestors);
        for (const spec of (n.specifiers as Loose[] | undefined) ?? []) {
          const exp = spec.exported as Loose | undefined;
          const local = spec.local as Loose | undefined;
          if (exp) this.exports.add(nameOf(exp));
          if (local && !n.source) this.exportedLocals.push(nameOf(local));
        }
        // collectSymbols names the declaration when it enters it, right after this node: nothing can come between.
        this.exportDeclaration(n.declaration, ancestors);
        break;
      }
      case 'ExportDefaultDeclaration':
        this.exports.add('default');
        this.exportDeclaration(n.declaration, ancestors);
        break;
      case 'TSExportAssignment':
        this.exports.add('default');
        break;
      case 'ImportExpression':
        this.addImport(n.source, ancestors);
        break;
      case 'TSImportEqualsDeclaration': {
        const ref = n.moduleReference as Loose | null;
        if (ref?.type === 'TSExternalModuleReference') this.addImport(ref.expression, ancestors);
        break;
      }
      case 'CallExpression': {
        const callee = n.callee as Loose;
        const args = n.arguments as Loose[];
        if (((callee.type === 'Identifier' && callee.name === 'require') || callee.type === 'Import') && args.length >= 1)
          this.addImport(args[0], ancestors);
        break;
      }
      case 'AssignmentExpression':
        if (n.left.type === 'MemberExpression' && !inIdentifier(ancestors)) this.assignment(n);
        break;
      default:
        break;
    }
  }

  /**
   * Called for a type-only declaration that the runtime walk does not enter (see astChildren.ts). Of those, only a
   * `declare function` or body-less method can hold code collectSymbols looks at (a default value, a decorator):
   * their subtrees are entered here, as collectSymbols walks them.
   */
  enterTypeOnly(node: Node, ancestors: readonly Node[]): void {
    if (node.type !== 'TSDeclareFunction' && node.type !== 'TSDeclareMethod') return;
    const path = [...ancestors];
    const visit = (n: Node): void => {
      this.enter(n, path);
      path.push(n);
      const record = n as Loose;
      const keys = Object.keys(record);
      for (let k = 0; k < keys.length; k++) {
        if (NON_CHILD_KEY_SET.has(keys[k]!)) continue;
        const value = record[keys[k]!];
        if (Array.isArray(value)) {
          for (const item of value) if (isNode(item)) visit(item);
        } else if (isNode(value)) visit(value);
      }
      path.pop();
    };
    visit(node);
  }

  /**
   * Whether the exports are only known with the file's symbol table: `export { a as b }` where `a` is not exported
   * anyway. Rare, so the caller can afford collectSymbols then.
   */
  needsSymbols(): boolean {
    return this.exportedLocals.some((name) => !this.exports.has(name));
  }

  /** The exported name(s) of `export <declaration>`, as collectSymbols adds them on entering it. */
  private exportDeclaration(declaration: unknown, ancestors: readonly Node[]): void {
    if (!isNode(declaration)) return;
    const d = declaration as Loose;
    if (NAMED_DECLARATIONS.has(d.type)) {
      this.exportName(d.id);
      return;
    }
    if (d.type !== 'VariableDeclaration') return;
    // A local variable of a function is no symbol, so not exported (an `export` inside a function parses with
    // allowImportExportEverywhere); a local function is.
    let inFunction = false;
    for (const a of ancestors) if (FUNCTION_SCOPES.has(a.type)) inFunction = true;
    for (const decl of d.declarations as Loose[]) {
      const init = decl.init as Loose | null;
      const variable = !(init && isFunction(init)) && init?.type !== 'ClassExpression';
      if (variable && inFunction) continue;
      const id = decl.id as Loose;
      if (id.type === 'Identifier') this.exportName(id);
      else for (const name of patternNames(id)) this.exports.add(name);
    }
  }

  /** An exported symbol's name, when it has one (collectSymbols skips nameless ones). */
  private exportName(id: unknown): void {
    if (!isNode(id)) return;
    const name = nameOf(id as Loose);
    if (name) this.exports.add(name);
  }

  /** `exports.f = function…`, `module.exports = …`, `module.exports.f = …`. */
  private assignment(n: Loose): void {
    const left = n.left as Loose;
    const right = n.right as Loose;
    if (left.type === 'MemberExpression' && !left.computed && isFunction(right)) {
      const obj = left.object as Loose;
      if ((obj.type === 'Identifier' && obj.name === 'exports') || isModuleExports(obj)) this.exportName(left.property);
    }
    if (isModuleExports(left) || (left.type === 'MemberExpression' && isModuleExports(left.object as Loose)))
      this.exports.add(
        left.type === 'MemberExpression' && !isModuleExports(left) ? String((left.property as Loose).name ?? '') : 'default',
      );
  }

  private addImport(source: unknown, ancestors: readonly Node[]): void {
    if (!isNode(source) || inIdentifier(ancestors)) return;
    const s = source as Loose;
    // 'Literal' is ESTree's; collectSymbols accepts it too, though babel (without its estree plugin) never makes one.
    if ((s.type === 'StringLiteral' || (s.type as string) === 'Literal') && typeof s.value === 'string') this.imports.add(s.value);
    else if (s.type === 'TemplateLiteral' && (s.expressions as unknown[]).length === 0) {
      const q = (s.quasis as Loose[])[0];
      const cooked = (q?.value as { cooked?: string } | undefined)?.cooked;
      if (cooked) this.imports.add(cooked);
    }
  }
}

/**
 * Whether the node is inside an identifier: a parameter's decorators (`constructor(@Inject(x) a)`) hang off its
 * Identifier, into which collectSymbols does not look.
 */
function inIdentifier(ancestors: readonly Node[]): boolean {
  for (let i = ancestors.length - 1; i >= 0; i--) if (ancestors[i]!.type === 'Identifier') return true;
  return false;
}
