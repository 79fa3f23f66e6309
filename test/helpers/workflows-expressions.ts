import { parse } from "yaml";

/**
 * A checker of the Cloud Workflows expression subset the chain definition uses (components/shared/chain-definition.ts),
 * each element as Google documents it:
 * - literals: strings in double quotes, numbers, `true`, `false`, `null`; variable names; `a.b` field access
 *   (src: https://cloud.google.com/workflows/docs/reference/syntax/expressions, "Supported elements");
 * - operators `+ - == != < > <= >=`, `and`, `or`, `not`, `in`, parentheses (same page; GoogleCloudPlatform/workflows-demos
 *   `syntax-cheat-sheet/workflow.yaml`: `${my_true and my_false}`, `${not my_true}`, `${"Key1" in my_map}`, `${e.code == 404}`);
 * - calls of the functions in {@link FUNCTIONS} only, with their documented arity.
 * Map literals (`{...}`) and list literals (`[...]`) are not in the subset: the reference lists neither.
 */
export const FUNCTIONS: Readonly<Record<string, number>> = {
  // https://cloud.google.com/workflows/docs/reference/stdlib/expression-helpers ("default")
  default: 2,
  // https://cloud.google.com/workflows/docs/reference/stdlib/map/get
  "map.get": 2,
  // https://cloud.google.com/workflows/docs/reference/stdlib/sys/get_env
  "sys.get_env": 1,
};

const KEYWORDS = new Set(["and", "or", "not", "in", "true", "false", "null"]);
const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|[<>+\-().,]))/y;

type Token = { kind: "string" | "number" | "name" | "op"; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(expression);
    if (!m) throw new Error(`"${expression.slice(at).trim()[0]}" at ${at} is not in the documented subset`);
    tokens.push(
      m[1] ? { kind: "string", text: m[1] } : m[2] ? { kind: "number", text: m[2] } : m[3] ? { kind: "name", text: m[3] } : { kind: "op", text: m[4] },
    );
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/**
 * Checks one expression (the text between `${` and `}`).
 * @throws Error naming what is outside the documented subset.
 */
export function checkExpression(expression: string): void {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (text: string) => peek()?.kind === "op" && peek().text === text;
  const isWord = (text: string) => peek()?.kind === "name" && peek().text === text;
  const expect = (text: string) => {
    if (!isOp(text)) throw new Error(`expected "${text}" at token ${i} (${peek()?.text ?? "end"})`);
    i++;
  };
  const or = (): void => {
    and();
    while (isWord("or")) {
      i++;
      and();
    }
  };
  const and = (): void => {
    not();
    while (isWord("and")) {
      i++;
      not();
    }
  };
  const not = (): void => {
    if (isWord("not")) {
      i++;
      return not();
    }
    comparison();
  };
  const comparison = (): void => {
    sum();
    if (["==", "!=", "<", ">", "<=", ">="].some(isOp) || isWord("in")) {
      i++;
      sum();
    }
  };
  const sum = (): void => {
    unary();
    while (isOp("+") || isOp("-")) {
      i++;
      unary();
    }
  };
  const unary = (): void => {
    if (isOp("-")) i++;
    primary();
  };
  const primary = (): void => {
    const token = peek();
    if (!token) throw new Error("unexpected end");
    if (token.kind === "string" || token.kind === "number") return void i++;
    if (isOp("(")) {
      i++;
      or();
      return expect(")");
    }
    if (token.kind !== "name") throw new Error(`"${token.text}" is not in the documented subset`);
    if (["true", "false", "null"].includes(token.text)) return void i++;
    if (KEYWORDS.has(token.text)) throw new Error(`"${token.text}" cannot start an operand`);
    let name = token.text;
    i++;
    while (isOp(".")) {
      i++;
      if (peek()?.kind !== "name") throw new Error(`expected a field name after "${name}."`);
      name += `.${peek().text}`;
      i++;
    }
    if (!isOp("(")) return;
    if (!(name in FUNCTIONS)) throw new Error(`${name}() is not a function of the documented subset (${Object.keys(FUNCTIONS).join(", ")})`);
    i++;
    let count = 0;
    if (!isOp(")")) {
      or();
      count++;
      while (isOp(",")) {
        i++;
        or();
        count++;
      }
    }
    expect(")");
    if (count !== FUNCTIONS[name]) throw new Error(`${name}() takes ${FUNCTIONS[name]} arguments, not ${count}`);
  };
  or();
  if (i !== tokens.length) throw new Error(`unexpected "${tokens[i].text}" at token ${i}`);
}

/**
 * Every `${...}` of a workflow definition (YAML), in keys and values, checked with {@link checkExpression}. A
 * string with `${` must be one whole expression: Workflows evaluates `${...}` only as a whole value.
 * @returns the expressions found. @throws Error naming the expression and the problem.
 */
export function checkDefinitionExpressions(source: string): string[] {
  const found: string[] = [];
  const visitString = (text: string) => {
    if (!text.includes("${")) return;
    const whole = /^\$\{([\s\S]*)\}$/.exec(text);
    if (!whole) throw new Error(`${JSON.stringify(text)}: an expression must be the whole value`);
    try {
      checkExpression(whole[1]);
    } catch (err) {
      throw new Error(`${JSON.stringify(text)}: ${(err as Error).message}`, { cause: err });
    }
    found.push(text);
  };
  const visit = (node: unknown): void => {
    if (typeof node === "string") return visitString(node);
    if (Array.isArray(node)) return node.forEach(visit);
    if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key.includes("${")) throw new Error(`${JSON.stringify(key)}: an expression as a key`);
        visit(value);
      }
    }
  };
  visit(parse(source));
  return found;
}
