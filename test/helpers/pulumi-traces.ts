export {};

// Mocha preload, after tools/register-ts.js (.mocharc.json `require`): the stack traces @pulumi/pulumi takes for its
// own bookkeeping are left without frames, so no source-map lookup is run for them; every other stack trace (a failing
// test's, an error a test prints) is still mapped to its TypeScript lines.
//
// Why: @pulumi/pulumi reads `new Error().stack` for every promise it wraps (`debuggablePromise`, read back only to
// report a leaked promise) and for every resource it registers (`Resource.callsites`, the source position sent to
// the engine, which the mock runtime ignores). The require hook's source-map support (source-map-support, through
// @swc-node/sourcemap-support, which @swc-node/register installs while Node's own source maps are off) maps each frame of each of those; under ts-node's
// source-map-support that was about two thirds of what registering a resource cost
// (../shared/reference/performance-notes.md §2). Nothing reads those frames in a test: the mock runtime ignores the
// source position, and no test sets PULUMI_DEBUG_PROMISE_LEAKS.
// (src: node_modules/@pulumi/pulumi/runtime/debuggable.js `debuggablePromise`; resource.js `Resource.callsites`)
// The callsite API is V8's (src: https://v8.dev/docs/stack-trace-api#customizing-stack-traces).

/** The function names, in @pulumi/pulumi's own files, whose stack traces are bookkeeping. */
const BOOKKEEPING = new Set(["debuggablePromise", "callsites"]);

// The formatter that applies the source maps: the require hook's (source-map-support, src:
// node_modules/@swc-node/sourcemap-support/package.json), else Node's own, which Node exposes as `Error.prepareStackTrace` for an
// override to call (src: https://nodejs.org/api/cli.html#--enable-source-maps; nodejs/node#50827). Node types its
// result `any` (it becomes `error.stack`); read here as `unknown`, it is passed through untouched.
// eslint-disable-next-line @typescript-eslint/unbound-method
const mapped: ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined = Error.prepareStackTrace;
if (mapped === undefined) throw new Error("test/helpers/pulumi-traces.ts: Error.prepareStackTrace is not set; it wraps Node's own, source-mapped formatter");

function isBookkeeping(frames: NodeJS.CallSite[]): boolean {
  const top = frames[0];
  return top !== undefined && BOOKKEEPING.has(top.getFunctionName() ?? "") && (top.getFileName() ?? "").includes("/@pulumi/pulumi/");
}

Error.prepareStackTrace = (error, frames) => (isBookkeeping(frames) ? String(error) : mapped(error, frames));
