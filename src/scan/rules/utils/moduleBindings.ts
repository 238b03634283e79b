// Which local names stand for a watched module (fs, child_process, …) or one of its exports, from imports and require().
import type * as t from '@babel/types';
import { isMember, staticPropertyName } from './memberNames.js';

/** A call target resolved to a module export: `fs.readFileSync`, `readFile` from 'fs/promises', … */
export interface ModuleExport {
  /** The module's id without `node:` and without a `/promises` subpath: 'fs', 'child_process', 'fs-extra'. */
  module: string;
  /** The export called. */
  name: string;
  /** Reached through the promises API (`fs/promises`, `fs.promises`, `{ promises }`). */
  promises: boolean;
}

/** What a local name is bound to: the module object (no `name`), or one of its exports. */
interface Binding {
  module: string;
  promises: boolean;
  name?: string;
}

/** A module specifier split into its id and whether it names the promises API. */
function normalizeSpecifier(source: string): { module: string; promises: boolean } {
  const bare = source.startsWith('node:') ? source.slice('node:'.length) : source;
  return bare.endsWith('/promises') ? { module: bare.slice(0, -'/promises'.length), promises: true } : { module: bare, promises: false };
}

/** The specifier of a `require('x')` call, or undefined. */
function requiredSpecifier(node: t.Node | null | undefined): string | undefined {
  if (node?.type !== 'CallExpression' || node.callee.type !== 'Identifier' || node.callee.name !== 'require') return undefined;
  const arg = node.arguments[0];
  return node.arguments.length === 1 && arg?.type === 'StringLiteral' ? arg.value : undefined;
}

/**
 * Bindings of the watched modules in one file. Names are matched as strings, without scopes: a local that shadows
 * an imported name is taken for the import (rare in practice, and it only matters when the shadow is called the same).
 */
export class ModuleBindings {
  private readonly bindings = new Map<string, Binding>();

  /** `modules`: module ids as `normalizeSpecifier` gives them ('fs', not 'node:fs/promises'). */
  constructor(private readonly modules: ReadonlySet<string>) {}

  /** Records the imports of a whole program up front, since imports are hoisted above any use. */
  addProgram(program: t.Program): void {
    for (const statement of program.body) if (statement.type === 'ImportDeclaration') this.addImport(statement);
  }

  /** Records `import fs from 'fs'`, `import * as fs`, `import { readFileSync as read, promises as fsp }`. */
  addImport(decl: t.ImportDeclaration): void {
    if (decl.importKind === 'type' || decl.importKind === 'typeof') return;
    const { module, promises } = normalizeSpecifier(decl.source.value);
    if (!this.modules.has(module)) return;
    for (const spec of decl.specifiers) {
      if (spec.type !== 'ImportSpecifier') {
        this.bindings.set(spec.local.name, { module, promises });
        continue;
      }
      if (spec.importKind === 'type' || spec.importKind === 'typeof') continue;
      const imported = spec.imported.type === 'Identifier' ? spec.imported.name : spec.imported.value;
      this.bind(spec.local.name, module, promises, imported);
    }
  }

  /** Records `const fs = require('fs')`, `const { execSync } = require('child_process')`, `const fsp = require('fs').promises`, `const { readFileSync } = fs`. */
  addDeclarator(decl: t.VariableDeclarator): void {
    const target = this.moduleObject(decl.init);
    if (!target) return;
    if (decl.id.type === 'Identifier') {
      this.bindings.set(decl.id.name, target);
      return;
    }
    if (decl.id.type !== 'ObjectPattern') return;
    for (const prop of decl.id.properties) {
      if (prop.type !== 'ObjectProperty' || prop.computed) continue;
      const key = prop.key.type === 'Identifier' ? prop.key.name : prop.key.type === 'StringLiteral' ? prop.key.value : undefined;
      const value = prop.value.type === 'AssignmentPattern' ? prop.value.left : prop.value;
      if (key !== undefined && value.type === 'Identifier') this.bind(value.name, target.module, target.promises, key);
    }
  }

  /** The module export a callee calls (`fs.writeFileSync`, `execSync`, `fs.promises.writeFile`, `require('fs').statSync`), or undefined. */
  resolveCallee(callee: t.Node): ModuleExport | undefined {
    if (callee.type === 'Identifier') {
      const b = this.bindings.get(callee.name);
      return b?.name === undefined ? undefined : { module: b.module, name: b.name, promises: b.promises };
    }
    if (!isMember(callee)) return undefined;
    const name = staticPropertyName(callee);
    const owner = name === undefined ? undefined : this.moduleObject(callee.object);
    return owner && name !== undefined ? { module: owner.module, name, promises: owner.promises } : undefined;
  }

  /** Binds `local` to export `imported`, where the export `promises` is itself the promises API object. */
  private bind(local: string, module: string, promises: boolean, imported: string): void {
    if (imported === 'default') this.bindings.set(local, { module, promises });
    else if (imported === 'promises' && !promises) this.bindings.set(local, { module, promises: true });
    else this.bindings.set(local, { module, promises, name: imported });
  }

  /** The watched module object an expression evaluates to: a bound name, `require('fs')`, or `<module>.promises`. */
  private moduleObject(node: t.Node | null | undefined): Binding | undefined {
    if (!node) return undefined;
    if (node.type === 'Identifier') {
      const b = this.bindings.get(node.name);
      return b && b.name === undefined ? b : undefined;
    }
    const specifier = requiredSpecifier(node);
    if (specifier !== undefined) {
      const normalized = normalizeSpecifier(specifier);
      return this.modules.has(normalized.module) ? normalized : undefined;
    }
    if (isMember(node) && staticPropertyName(node) === 'promises') {
      const owner = this.moduleObject(node.object);
      return owner && !owner.promises ? { module: owner.module, promises: true } : undefined;
    }
    return undefined;
  }
}
