import Handlebars from 'handlebars';

export interface ForbiddenName {
  readonly name: string;
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/**
 * A name in `{{…}}` that no context Herold builds can hold as its own:
 * what every object inherits (`constructor`, `__proto__`, `toString`,
 * `hasOwnProperty`…) and `prototype`. Strict mode lets these through (they
 * exist on every object) and Handlebars then renders them as empty, so a
 * template made of one passes and posts nothing.
 */
export function isForbiddenName(name: string): boolean {
  return name === 'prototype' || name.startsWith('__') || Object.prototype.hasOwnProperty.call(Object.prototype, name);
}

interface AstNode {
  readonly type?: string;
  readonly parts?: readonly unknown[];
  readonly loc?: { readonly start: { readonly line: number; readonly column: number } };
}

/** Every forbidden name a template's variables, helper arguments and block parameters use; [] when it does not parse (compiling reports that). */
export function forbiddenNames(source: string): ForbiddenName[] {
  let ast: unknown;
  try {
    ast = Handlebars.parse(source);
  } catch {
    return [];
  }
  const found: ForbiddenName[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'PathExpression' && n.parts) {
      for (const part of n.parts) {
        if (typeof part === 'string' && isForbiddenName(part)) found.push({ name: part, line: n.loc?.start.line ?? 1, column: (n.loc?.start.column ?? 0) + 1 });
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'loc') walk(value);
  };
  walk(ast);
  return found;
}
