/**
 * The declared types of a `parameters` cell, so `--param` values are checked before a kernel starts: a type
 * annotation (`let preset: 'quick' | 'default' | 'full' = 'default';`, `let seeds: number[] | null = null;`) or,
 * without one, the type TypeScript infers from a literal default (`let steps = 300;` is a number). The cell is
 * parsed with the TypeScript compiler tslab itself uses (resolved through tslab, so it is the same one).
 *
 * Only JSON-shaped types are checked: number, string, boolean, null, literals, unions and arrays of those.
 * Anything else (object types, type names) is left to tslab's type check in the kernel.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

export type ParamType =
  | { kind: 'unchecked' }
  | { kind: 'number' | 'string' | 'boolean' | 'null' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'array'; element: ParamType }
  | { kind: 'union'; options: ParamType[] };

export interface DeclaredType {
  type: ParamType;
  /** How the cell writes it: the annotation's text, or "number" etc. for an inferred type. */
  text: string;
}

let tsModule: typeof TS | null = null;

function typescript(): typeof TS {
  if (tsModule === null) {
    const fromTslab = createRequire(createRequire(import.meta.url).resolve('tslab/package.json'));
    tsModule = fromTslab('typescript') as typeof TS;
  }
  return tsModule;
}

const UNCHECKED: ParamType = { kind: 'unchecked' };

function fromTypeNode(ts: typeof TS, node: TS.TypeNode): ParamType {
  switch (node.kind) {
    case ts.SyntaxKind.NumberKeyword:
      return { kind: 'number' };
    case ts.SyntaxKind.StringKeyword:
      return { kind: 'string' };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: 'boolean' };
    case ts.SyntaxKind.ParenthesizedType:
      return fromTypeNode(ts, (node as TS.ParenthesizedTypeNode).type);
    case ts.SyntaxKind.ArrayType:
      return { kind: 'array', element: fromTypeNode(ts, (node as TS.ArrayTypeNode).elementType) };
    case ts.SyntaxKind.TypeOperator: {
      const op = node as TS.TypeOperatorNode;
      return op.operator === ts.SyntaxKind.ReadonlyKeyword ? fromTypeNode(ts, op.type) : UNCHECKED;
    }
    case ts.SyntaxKind.UnionType: {
      const options = (node as TS.UnionTypeNode).types.map((t) => fromTypeNode(ts, t));
      return options.some((o) => o.kind === 'unchecked') ? UNCHECKED : { kind: 'union', options };
    }
    case ts.SyntaxKind.LiteralType: {
      const lit = (node as TS.LiteralTypeNode).literal;
      if (lit.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null' };
      const v = literalValue(ts, lit as TS.Expression);
      return v === undefined ? UNCHECKED : { kind: 'literal', value: v };
    }
    case ts.SyntaxKind.TypeReference: {
      const ref = node as TS.TypeReferenceNode;
      const arg = ref.typeArguments?.[0];
      if (ts.isIdentifier(ref.typeName) && ['Array', 'ReadonlyArray'].includes(ref.typeName.text) && arg) {
        return { kind: 'array', element: fromTypeNode(ts, arg) };
      }
      return UNCHECKED;
    }
    default:
      return UNCHECKED;
  }
}

function literalValue(ts: typeof TS, e: TS.Expression): string | number | boolean | undefined {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return -Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

/** The type TypeScript gives `let x = <literal>` (widened: `let x = 'a'` is a string). */
function fromInitializer(ts: typeof TS, e: TS.Expression): ParamType {
  const v = literalValue(ts, e);
  if (v !== undefined) return { kind: typeof v as 'number' | 'string' | 'boolean' };
  if (ts.isArrayLiteralExpression(e) && e.elements.length > 0) {
    const kinds = new Set(e.elements.map((el) => fromInitializer(ts, el).kind));
    const [only] = [...kinds];
    return kinds.size === 1 && (only === 'number' || only === 'string' || only === 'boolean') ? { kind: 'array', element: { kind: only } } : UNCHECKED;
  }
  return UNCHECKED;
}

/** Declared or inferred type of every top-level `let/var/const` of a parameters cell's source. */
export function declaredTypes(source: string): Map<string, DeclaredType> {
  const ts = typescript();
  const file = ts.createSourceFile('parameters.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out = new Map<string, DeclaredType>();
  for (const stmt of file.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    for (const d of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) continue;
      if (d.type) out.set(d.name.text, { type: fromTypeNode(ts, d.type), text: d.type.getText(file) });
      else if (d.initializer) {
        const type = fromInitializer(ts, d.initializer);
        out.set(d.name.text, { type, text: describeType(type) });
      } else out.set(d.name.text, { type: UNCHECKED, text: 'any' });
    }
  }
  return out;
}

function describeType(t: ParamType): string {
  switch (t.kind) {
    case 'literal':
      return JSON.stringify(t.value);
    case 'array':
      return `${t.element.kind === 'union' ? `(${describeType(t.element)})` : describeType(t.element)}[]`;
    case 'union':
      return t.options.map(describeType).join(' | ');
    case 'unchecked':
      return 'any';
    default:
      return t.kind;
  }
}

/** Whether a JSON value has the type. */
export function matchesType(t: ParamType, value: unknown): boolean {
  switch (t.kind) {
    case 'unchecked':
      return true;
    case 'null':
      return value === null;
    case 'number':
    case 'string':
    case 'boolean':
      return typeof value === t.kind;
    case 'literal':
      return value === t.value;
    case 'array':
      return Array.isArray(value) && value.every((v) => matchesType(t.element, v));
    case 'union':
      return t.options.some((o) => matchesType(o, value));
  }
}
