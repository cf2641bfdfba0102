/**
 * Client class tests. Tandem evaluates only what the HA setups in Kea's manual need: class
 * membership, `member('<class>')`, combined with `not`, `and`, `or` and parentheses. Anything
 * else (option values, substring, ...) is refused when the configuration is read, never
 * evaluated as false at run time.
 */
import { match } from 'ts-pattern';
import type { ClassExpression } from './types.js';

type Token =
  | { readonly kind: 'member'; readonly className: string }
  | { readonly kind: 'not' | 'and' | 'or' | '(' | ')' };

/** Undefined when the text uses anything beyond member/not/and/or/parentheses. */
function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(member)\s*\(\s*'([^']*)'\s*\)|(not|and|or)\b|([()]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (found === null) return undefined;
    if (found[1] !== undefined) tokens.push({ kind: 'member', className: found[2]! });
    else if (found[3] !== undefined) tokens.push({ kind: found[3] as 'not' | 'and' | 'or' });
    else tokens.push({ kind: found[4] as '(' | ')' });
    at = pattern.lastIndex;
  }
  return tokens;
}

/** Precedence as in Kea's grammar: `not` binds tighter than `and`, `and` tighter than `or`. */
export function parseClassExpression(text: string): ClassExpression | undefined {
  const tokens = tokenize(text);
  if (tokens === undefined || tokens.length === 0) return undefined;
  let at = 0;
  const peek = () => tokens[at]?.kind;

  const parseOr = (): ClassExpression | undefined => {
    let left = parseAnd();
    while (left !== undefined && peek() === 'or') {
      at++;
      const right = parseAnd();
      left = right === undefined ? undefined : { kind: 'or', left, right };
    }
    return left;
  };
  const parseAnd = (): ClassExpression | undefined => {
    let left = parseUnary();
    while (left !== undefined && peek() === 'and') {
      at++;
      const right = parseUnary();
      left = right === undefined ? undefined : { kind: 'and', left, right };
    }
    return left;
  };
  const parseUnary = (): ClassExpression | undefined => {
    const token = tokens[at++];
    if (token === undefined) return undefined;
    if (token.kind === 'member') return { kind: 'member', className: token.className };
    if (token.kind === 'not') {
      const operand = parseUnary();
      return operand === undefined ? undefined : { kind: 'not', operand };
    }
    if (token.kind === '(') {
      const inner = parseOr();
      if (tokens[at++]?.kind !== ')') return undefined;
      return inner;
    }
    return undefined;
  };

  const expression = parseOr();
  return at === tokens.length ? expression : undefined;
}

export function evaluateClassExpression(expression: ClassExpression, isMember: (className: string) => boolean): boolean {
  return match(expression)
    .with({ kind: 'member' }, (e) => isMember(e.className))
    .with({ kind: 'not' }, (e) => !evaluateClassExpression(e.operand, isMember))
    .with({ kind: 'and' }, (e) => evaluateClassExpression(e.left, isMember) && evaluateClassExpression(e.right, isMember))
    .with({ kind: 'or' }, (e) => evaluateClassExpression(e.left, isMember) || evaluateClassExpression(e.right, isMember))
    .exhaustive();
}

export function referencedClasses(expression: ClassExpression): string[] {
  return match(expression)
    .with({ kind: 'member' }, (e) => [e.className])
    .with({ kind: 'not' }, (e) => referencedClasses(e.operand))
    .with({ kind: 'and' }, { kind: 'or' }, (e) => [...referencedClasses(e.left), ...referencedClasses(e.right)])
    .exhaustive();
}

/**
 * Classes a test may name without defining them: Kea's built-in classes and the `HA_<server>`
 * classes the HA core assigns.
 */
export function isBuiltInClass(name: string): boolean {
  return name === 'ALL' || name === 'KNOWN' || name === 'UNKNOWN' || name === 'BOOTP' || name.startsWith('HA_');
}
