import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./typecheck";

// The TSDoc examples of the components' sources: what test/components/examples.test.ts type-checks against
// components/index.ts, and what the consumer test (test/consumer/examples.ts) type-checks against the installed package.

/** The import path examples use, as a program at the repository's root (like `index.ts`) would. */
export const LIBRARY = "./components";

/** The components' files (components/*.ts but index.ts): one component each, whose class documents an example. */
export const COMPONENT_FILES = fs
  .readdirSync(path.join(ROOT, "components"))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => path.join(ROOT, "components", f));

/** One `@example` of a doc comment. */
export interface Example {
  /** `components/<file>.ts:<line>` of the `@example` tag. */
  readonly source: string;
  /** The doc comment's subject, e.g. `class Bucket`. */
  readonly subject: string;
  readonly code: string | undefined;
}

/** Every `@example` of the TSDoc comments of a file, with the code of its ```ts fence (undefined when it has none). */
export function examplesOf(file: string, text: string): Example[] {
  const found: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(?:export )?(?:abstract )?(class \w+|function \w+|const \w+|interface \w+)?/g)) {
    const lines = comment[1].split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    const line = text.slice(0, comment.index).split("\n").length;
    lines.forEach((l, i) => {
      if (!l.startsWith("@example")) return;
      const rest: string[] = [];
      for (const next of lines.slice(i + 1)) {
        if (/^@\w/.test(next)) break;
        rest.push(next);
      }
      const fenced = /```ts\n([\s\S]*?)\n```/.exec(rest.join("\n"));
      found.push({ source: `${path.relative(ROOT, file)}:${line + i}`, subject: comment[2] ?? "(file)", code: fenced?.[1] });
    });
  }
  return found;
}
