import { PubSub } from "@google-cloud/pubsub";
import { randomUUID } from "crypto";
import { assertListening } from "../local/emulator";
import { awaitAnswer, BadAnswer, Bus, publishRequest, WaitOptions } from "../stream/correlate";
import { pubsubBus, readRequest, streamingOf } from "../stream/stream";
import { durationSeconds } from "./shared/duration";
import { EXIT } from "../errors";
import { parseAndRun } from "./shared/error-line";
import type { CommandIo } from "./shared/io";
import { summaryLine } from "./shared/output";
import { commandProgram } from "./shared/program";

/** What the CLI talks to (shared/io.ts); tests pass their own bus, ids and clock. */
export interface StreamIo extends Pick<CommandIo, "out" | "err">, Partial<Pick<CommandIo, "env">> {
  bus?: Bus;
  /** New correlation ids. @default crypto.randomUUID */
  newId?: () => string;
  /** Clock and pauses of the wait (tests). */
  wait?: Pick<WaitOptions, "now" | "sleep" | "pullMs" | "pauseMs">;
}

const HELP = `
Sends a trip request to the streaming pipeline: publishes the request file's JSON to the stack's request topic
(outputs.pipelines.streaming.requestTopic) with a new correlationId attribute, and prints the id. With --wait,
pulls the result subscription (outputs.pipelines.streaming.resultSubscription) until the answer with that id
arrives and prints it as JSON on stdout. Answers of other requesters are handed back at once (ack deadline 0),
never acknowledged.

Exit 1 when no answer came within --timeout, 2 for bad input (including a request the service answered with an
error), 3 for Pub/Sub (or an emulator that does not answer). --timeout takes a duration: 90s, 5m, or seconds.

Stack outputs come from \`pulumi stack output --json --stack <stack>\`, or from --outputs FILE
(\`npm run preview -- --stack <stack> --outputs FILE\` writes one).
PUBSUB_EMULATOR_HOST=host:port sends everything to the Pub/Sub emulator (the client library reads it).
The identity needs roles/pubsub.publisher on the request topic and roles/pubsub.subscriber on the result
subscription.`;

/** Most seconds `--timeout` takes: an hour. */
const MAX_TIMEOUT_SECONDS = 3600;

/** Pub/Sub's own errors named as such (an answer that is not one keeps its message: correlate.ts). */
const pubsub = <T>(call: Promise<T>): Promise<T> =>
  call.catch((err: unknown) => {
    throw err instanceof BadAnswer ? err : new Error(`Pub/Sub: ${err instanceof Error ? err.message : String(err)}`);
  });

/** The project of a full resource name, `projects/<project>/topics/<topic>`. */
const projectOf = (name: string) => /^projects\/([^/]+)\//.exec(name)?.[1];

/**
 * The client: `main(["send", "--file", "req.json", "--wait"], io)`.
 * @returns the exit code (see the help text).
 */
export async function main(argv: readonly string[], io: StreamIo): Promise<number> {
  let code: number = EXIT.done;
  let bus: (Bus & { close?: () => Promise<void> }) | undefined = io.bus;
  const env = io.env ?? process.env;
  const started = Date.now();
  const program = commandProgram("stream", "Send requests to the streaming pipeline of a stack and wait for their answers.", io, HELP)
    .option("--stack <name>", "stack whose outputs name the topic and subscription", "dev")
    .option("--outputs <file>", "stack outputs as JSON instead of the Pulumi CLI");
  const globals = () => program.opts<{ stack: string; outputs?: string }>();
  program
    .command("send")
    .description("publish a request with a new correlation id; with --wait, print its answer")
    .requiredOption("--file <file>", "the request as JSON, e.g. images/stream/sample/request.json")
    .option("--wait", "wait for the answer and print it on stdout")
    .option("--timeout <duration>", `with --wait: how long to wait, e.g. 90s or 5m (bare numbers are seconds), at most ${MAX_TIMEOUT_SECONDS / 60}m`, "60")
    .action(async (flags: { file: string; wait?: boolean; timeout: string }) => {
      const timeout = durationSeconds("--timeout", flags.timeout, MAX_TIMEOUT_SECONDS, false);
      const request = readRequest(flags.file);
      const { requestTopic, resultSubscription } = streamingOf(globals().stack, globals().outputs);
      const correlationId = (io.newId ?? randomUUID)();
      if (!bus) {
        if (env.PUBSUB_EMULATOR_HOST) await assertListening(env.PUBSUB_EMULATOR_HOST);
        // The project the outputs name: without it the client asks the environment (ADC, the metadata server) and
        // fails with "Unable to detect a Project Id" (google-auth-library googleauth.js, NO_PROJECT_ID_FOUND).
        bus = pubsubBus(new PubSub({ projectId: projectOf(requestTopic) }));
      }
      const messageId = await pubsub(publishRequest(bus, requestTopic, request, correlationId));
      if (!flags.wait) {
        io.out(`${correlationId}\n`);
        return;
      }
      io.err(`published ${correlationId} (message ${messageId}) to ${requestTopic}; waiting up to ${timeout} s on ${resultSubscription}\n`);
      const outcome = await pubsub(awaitAnswer(bus, resultSubscription, correlationId, { timeoutMs: timeout * 1000, ...io.wait }));
      if (outcome.kind === "timeout") {
        io.err(`error: no answer for ${correlationId} within the --timeout of ${timeout} s on ${resultSubscription}, try a longer --timeout\n`);
        code = EXIT.failed;
        return;
      }
      io.out(`${JSON.stringify(outcome.answer, null, 2)}\n`);
      const refusal = (outcome.answer as { error?: unknown } | null)?.error;
      if (typeof refusal === "string") {
        io.err(`error: the service refused the request: ${refusal}\n`);
        code = EXIT.badInput;
        return;
      }
      io.err(
        summaryLine({ what: "stream send", state: "ANSWERED", ms: Date.now() - started, results: [`correlation id ${correlationId}`, "the answer on stdout"] }),
      );
    });
  try {
    return await parseAndRun(program, argv, io.err, () => code);
  } finally {
    if (bus !== io.bus) await bus?.close?.().catch(() => undefined);
  }
}
