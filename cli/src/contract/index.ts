// The contract between a program and the CLI: the stack outputs the runner, the stream client, `promote` and the local
// runs read (a program satisfies it at the type level: `SatisfiesStackOutputs`), the stream's request and answer, and
// the placeholder an offline run deploys for an image not promoted yet.
export * from "./outputs";
export * from "./placeholders";
export * from "./stream";
