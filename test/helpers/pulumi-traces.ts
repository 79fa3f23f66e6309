export {};

// Mocha preload, after ts-node's register (.mocharc.json `require`): the stack traces @pulumi/pulumi takes for its
// own bookkeeping are left without frames, so ts-node's source-map lookup is not run for them; every other stack
// trace (a failing test's, an error a test prints) is still mapped to its TypeScript lines.
//
// Why: @pulumi/pulumi reads `new Error().stack` for every promise it wraps (`debuggablePromise`, read back only to
// report a leaked promise) and for every resource it registers (`Resource.callsites`, the source position sent to
// the engine, which the mock runtime ignores). ts-node's source-map-support maps each frame of each of those, about
// two thirds of what registering a resource costs under ts-node (../shared/reference/performance-notes.md §2).
// Nothing reads those frames in a test: the mock runtime ignores the source position, and no test sets
// PULUMI_DEBUG_PROMISE_LEAKS. Measured here: the component, stack and contract tests (270) took 51 s with the mapping
// and 25 s without it.
// (src: node_modules/@pulumi/pulumi/runtime/debuggable.js `debuggablePromise`; resource.js `Resource.callsites`)
// The callsite API is V8's (src: https://v8.dev/docs/stack-trace-api#customizing-stack-traces).

/** The function names, in @pulumi/pulumi's own files, whose stack traces are bookkeeping. */
const BOOKKEEPING = new Set(["debuggablePromise", "callsites"]);

// ts-node's source-map-support hook, a plain function (src: node_modules/@cspotcode/source-map-support/source-map-support.js).
// Node types its result `any` (it becomes `error.stack`); read here as `unknown`, it is passed through untouched.
// eslint-disable-next-line @typescript-eslint/unbound-method
const mapped: ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined = Error.prepareStackTrace;
if (mapped === undefined)
  throw new Error("test/helpers/pulumi-traces.ts: require it after tools/register-ts.js (.mocharc.json `require`), whose mapping it keeps");

function isBookkeeping(frames: NodeJS.CallSite[]): boolean {
  const top = frames[0];
  return top !== undefined && BOOKKEEPING.has(top.getFunctionName() ?? "") && (top.getFileName() ?? "").includes("/@pulumi/pulumi/");
}

Error.prepareStackTrace = (error, frames) => (isBookkeeping(frames) ? String(error) : mapped(error, frames));
