/**
 * Rocket's expression syntax (expr-lang style), read into a small tree that the engine
 * checks and then hands to CEL. Only what Rocket's rules use is accepted: literals,
 * the roots of the evaluation context, member and index access, the operators below,
 * list literals and a fixed list of functions. There are no loops, no assignments and
 * no way to name a JavaScript property outside the data (`__proto__`, `constructor`).
 */
import { ExpressionLimits } from './expression-limits';

export type BinaryOperator =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'not in'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '??';

/** One node of a parsed expression; `at` is its offset in the expression text. */
export type ExpressionNode =
  | { kind: 'number'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'bool'; value: boolean; at: number }
  | { kind: 'nil'; at: number }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'member'; object: ExpressionNode; name: string; at: number }
  | { kind: 'index'; object: ExpressionNode; index: ExpressionNode; at: number }
  | { kind: 'call'; name: string; args: ExpressionNode[]; at: number; each?: ExpressionNode }
  | { kind: 'list'; items: ExpressionNode[]; at: number }
  | { kind: 'unary'; op: '!' | '-'; operand: ExpressionNode; at: number }
  | { kind: 'binary'; op: BinaryOperator; left: ExpressionNode; right: ExpressionNode; at: number }
  | { kind: 'conditional'; test: ExpressionNode; then: ExpressionNode; otherwise: ExpressionNode; at: number };

/** Functions by name with the number of arguments each takes. */
export const EXPRESSION_FUNCTIONS: Readonly<Record<string, readonly number[]>> = {
  len: [1],
  sum: [1, 2],
  upper: [1],
  lower: [1],
  trim: [1],
  trimPrefix: [2],
  trimSuffix: [2],
  hasPrefix: [2],
  hasSuffix: [2],
  indexOf: [2],
  replace: [3],
  split: [2],
  abs: [1],
  min: [2],
  max: [2],
  round: [1],
  floor: [1],
  ceil: [1],
  string: [1],
  int: [1],
  float: [1],
};

/** Names that would reach JavaScript's object machinery rather than data. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** A syntax error at an offset of the text. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

type Token =
  | { type: 'number'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'name'; text: string; at: number }
  | { type: 'punct'; text: string; at: number }
  | { type: 'end'; at: number };

const PUNCTUATION = ['&&', '||', '==', '!=', '<=', '>=', '??', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '.', '?', ':'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) return { value, end: i + 1 };
    if (c === '\\') {
      const next = text[i + 1];
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      if (next === undefined || !(next in ESCAPES)) throw new ExpressionSyntaxError(`unknown escape \\${next ?? ''}`, i);
      value += ESCAPES[next];
      i += 2;
      continue;
    }
    value += c;
    i += 1;
  }
  throw new ExpressionSyntaxError('unterminated string', start);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
      const literal = match ? match[0] : c;
      if (/[A-Za-z_]/.test(text[i + literal.length] ?? '')) throw new ExpressionSyntaxError('bad number', i);
      tokens.push({ type: 'number', text: literal, at: i });
      i += literal.length;
    } else if (c === "'" || c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ type: 'string', value, at: i });
      i = end;
    } else if (/[A-Za-z_$]/.test(c)) {
      const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i))![0];
      tokens.push({ type: 'name', text: name, at: i });
      i += name.length;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
      if (!punct) throw new ExpressionSyntaxError(`unexpected character '${c}'`, i);
      tokens.push({ type: 'punct', text: punct, at: i });
      i += punct.length;
    }
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

/** Binary operators by binding strength, loosest first (expr-lang's order). */
const LEVELS: ReadonlyArray<ReadonlyArray<string>> = [
  ['||', 'or'],
  ['&&', 'and'],
  ['==', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'contains', 'startsWith', 'endsWith'],
  ['+', '-'],
  ['*', '/', '%'],
  ['??'],
];
const WORD_OPERATORS: Record<string, BinaryOperator> = { or: '||', and: '&&' };

/** Where parsing an expression meets names: the roots it may read and whether bare names are an item's fields. */
export interface ParseScope {
  roots: ReadonlySet<string>;
  /** Inside `sum(list, 'expr')`: a bare name is a field of the list's item. */
  itemFields: boolean;
}

class Parser {
  private position = 0;
  private nodes = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly scope: ParseScope,
    private readonly limits: ExpressionLimits,
    private readonly offset: number,
  ) {}

  parse(): ExpressionNode {
    const node = this.expression();
    const token = this.peek();
    if (token.type !== 'end') throw this.error(`unexpected ${describe(token)}`, token);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    return this.tokens[this.position++];
  }

  private error(message: string, token: { at: number }): ExpressionSyntaxError {
    return new ExpressionSyntaxError(message, token.at + this.offset);
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.type === 'punct' && token.text === text;
  }

  private expect(text: string): Token {
    const token = this.next();
    if (token.type !== 'punct' || token.text !== text) throw this.error(`expected '${text}' but found ${describe(token)}`, token);
    return token;
  }

  private node<N extends ExpressionNode>(node: N): N {
    this.nodes += 1;
    if (this.nodes > this.limits.maxNodes) throw this.error(`expression is too large (more than ${this.limits.maxNodes} parts)`, node);
    return { ...node, at: node.at + this.offset };
  }

  private nested<T>(at: Token, read: () => T): T {
    this.depth += 1;
    if (this.depth > this.limits.maxDepth) throw this.error(`expression is nested too deeply (more than ${this.limits.maxDepth} levels)`, at);
    try {
      return read();
    } finally {
      this.depth -= 1;
    }
  }

  private expression(): ExpressionNode {
    const start = this.peek();
    return this.nested(start, () => {
      const test = this.binary(0);
      if (!this.isPunct('?')) return test;
      const question = this.next();
      const then = this.expression();
      this.expect(':');
      const otherwise = this.expression();
      return this.node({ kind: 'conditional', test, then, otherwise, at: question.at });
    });
  }

  /** The operator at the cursor if it belongs to `level`, with how many tokens it spans. */
  private operatorAt(level: number): { op: BinaryOperator; width: number } | null {
    const token = this.peek();
    const operators = LEVELS[level];
    if (token.type === 'punct' && operators.includes(token.text)) return { op: token.text as BinaryOperator, width: 1 };
    if (token.type !== 'name') return null;
    if (token.text === 'not') {
      const following = this.tokens[this.position + 1];
      return operators.includes('not in') && following.type === 'name' && following.text === 'in' ? { op: 'not in', width: 2 } : null;
    }
    if (!operators.includes(token.text)) return null;
    return { op: WORD_OPERATORS[token.text] ?? (token.text as BinaryOperator), width: 1 };
  }

  private binary(level: number): ExpressionNode {
    if (level >= LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (let found = this.operatorAt(level); found; found = this.operatorAt(level)) {
      const token = this.peek();
      this.position += found.width;
      const right = this.nested(token, () => this.binary(level + 1));
      left = this.node({ kind: 'binary', op: found.op, left, right, at: token.at });
    }
    return left;
  }

  private unary(): ExpressionNode {
    const token = this.peek();
    const op = token.type === 'punct' && (token.text === '!' || token.text === '-') ? token.text : token.type === 'name' && token.text === 'not' ? '!' : null;
    if (op === null) return this.postfix(this.primary());
    this.next();
    const operand = this.nested(token, () => this.unary());
    return this.node({ kind: 'unary', op, operand, at: token.at });
  }

  private postfix(start: ExpressionNode): ExpressionNode {
    let node = start;
    for (;;) {
      const token = this.peek();
      if (this.isPunct('.')) {
        this.next();
        const name = this.next();
        if (name.type !== 'name') throw this.error(`expected a field name after '.' but found ${describe(name)}`, name);
        node = this.node({ kind: 'member', object: node, name: this.fieldName(name), at: name.at });
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.nested(token, () => this.expression());
        this.expect(']');
        if (index.kind === 'string') this.checkFieldName(index.value, token);
        node = this.node({ kind: 'index', object: node, index, at: token.at });
      } else if (this.isPunct('(')) {
        throw this.error('only the listed functions can be called', token);
      } else {
        return node;
      }
    }
  }

  private checkFieldName(name: string, token: { at: number }): void {
    if (FORBIDDEN_NAMES.has(name)) throw this.error(`'${name}' cannot be read`, token);
  }

  private fieldName(token: Token & { type: 'name' }): string {
    this.checkFieldName(token.text, token);
    return token.text;
  }

  private primary(): ExpressionNode {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return this.node({ kind: 'number', text: token.text, at: token.at });
      case 'string':
        return this.node({ kind: 'string', value: token.value, at: token.at });
      case 'name':
        return this.named(token);
      case 'punct':
        if (token.text === '(') {
          const inner = this.expression();
          this.expect(')');
          return inner;
        }
        if (token.text === '[') return this.list(token);
        throw this.error(`unexpected ${describe(token)}`, token);
      default:
        throw this.error('unexpected end of expression', token);
    }
  }

  private list(open: Token): ExpressionNode {
    const items: ExpressionNode[] = [];
    while (!this.isPunct(']')) {
      items.push(this.nested(open, () => this.expression()));
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expect(']');
    return this.node({ kind: 'list', items, at: open.at });
  }

  private named(token: Token & { type: 'name' }): ExpressionNode {
    const name = token.text;
    if (name === 'true' || name === 'false') return this.node({ kind: 'bool', value: name === 'true', at: token.at });
    if (name === 'nil' || name === 'null') return this.node({ kind: 'nil', at: token.at });
    if (this.isPunct('(')) return this.call(token);
    if (this.scope.itemFields) return this.node({ kind: 'name', name: this.fieldName(token), at: token.at });
    if (!this.scope.roots.has(name)) {
      throw this.error(`unknown name '${name}' (expressions read ${[...this.scope.roots].join(', ')})`, token);
    }
    return this.node({ kind: 'name', name, at: token.at });
  }

  private call(token: Token & { type: 'name' }): ExpressionNode {
    const arities = EXPRESSION_FUNCTIONS[token.text];
    if (!arities) throw this.error(`unknown function '${token.text}'`, token);
    this.expect('(');
    const args: ExpressionNode[] = [];
    while (!this.isPunct(')')) {
      args.push(this.nested(token, () => this.expression()));
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expect(')');
    if (!arities.includes(args.length)) {
      throw this.error(`${token.text}() takes ${arities.join(' or ')} argument${arities.length === 1 && arities[0] === 1 ? '' : 's'}, got ${args.length}`, token);
    }
    if (token.text === 'sum' && args.length === 2) return this.sumOf(token, args);
    return this.node({ kind: 'call', name: token.text, args, at: token.at });
  }

  /** `sum(list, 'quantity * unit_price')`: the text is an expression over each item's fields, parsed now. */
  private sumOf(token: Token, args: ExpressionNode[]): ExpressionNode {
    const [list, each] = args;
    if (each.kind !== 'string') throw this.error("sum()'s second argument must be a quoted expression, e.g. 'quantity * unit_price'", each);
    const parsed = parseExpression(each.value, { roots: this.scope.roots, itemFields: true }, this.limits, each.at + 1);
    this.nodes += countNodes(parsed);
    if (this.nodes > this.limits.maxNodes) throw this.error(`expression is too large (more than ${this.limits.maxNodes} parts)`, token);
    return this.node({ kind: 'call', name: 'sum', args: [list], each: parsed, at: token.at });
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return 'a string';
    case 'number':
      return `number ${token.text}`;
    default:
      return `'${token.text}'`;
  }
}

function countNodes(node: ExpressionNode): number {
  let count = 1;
  for (const child of childrenOf(node)) count += countNodes(child);
  return count;
}

/** The direct children of a node, `sum`'s per-item expression included. */
export function childrenOf(node: ExpressionNode): ExpressionNode[] {
  switch (node.kind) {
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'call':
      return node.each ? [...node.args, node.each] : node.args;
    case 'list':
      return node.items;
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'conditional':
      return [node.test, node.then, node.otherwise];
    default:
      return [];
  }
}

/**
 * Parses expression text; throws ExpressionSyntaxError with the offset of the fault.
 * `offset` shifts reported offsets (for an expression quoted inside another).
 */
export function parseExpression(text: string, scope: ParseScope, limits: ExpressionLimits, offset = 0): ExpressionNode {
  if (text.length > limits.maxLength) throw new ExpressionSyntaxError(`expression is too long (more than ${limits.maxLength} characters)`, offset);
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) throw new ExpressionSyntaxError(error.message, error.at + offset);
    throw error;
  }
  return new Parser(tokens, scope, limits, offset).parse();
}
