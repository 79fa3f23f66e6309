import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { awaitAnswer, Bus, Received } from "../../../cli/src/stream/correlate";
import { EXIT } from "../../../cli/src/errors";
import { main, StreamIo } from "../../../cli/src/commands/stream";
import { loadFlights, train } from "../../../images/stream/src/model";
import { handlePush } from "../../../images/stream/src/server";

const REQUEST_TOPIC = "projects/p-dev/topics/stream-requests";
const RESULT_TOPIC = "projects/p-dev/topics/stream-results";
const RESULTS = "projects/p-dev/subscriptions/stream-results-pull";
const model = train(loadFlights(path.join(__dirname, "..", "..", "..", "node_modules", "vega-datasets", "data", "flights-10k.json")));

interface Stored {
  readonly messageId: string;
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
}

/**
 * In-memory Pub/Sub: topics fan out to their subscriptions; a pull leases available messages (each delivery with
 * its own ack id); ack removes a leased message, nack makes it available again at once, behind those waiting.
 * `pushTo` makes a topic call a handler on publish, as a push subscription would.
 */
class FakePubSub implements Bus {
  readonly calls: string[] = [];
  private published = 0;
  private deliveries = 0;
  readonly topics = new Map<string, Stored[]>();
  private readonly subscriptions = new Map<string, { topic: string; available: Stored[]; leased: Map<string, Stored> }>();
  private readonly pushes = new Map<string, (message: Stored) => Promise<void>>();

  subscribe(subscription: string, topic: string) {
    this.subscriptions.set(subscription, { topic, available: [], leased: new Map() });
  }
  pushTo(topic: string, handler: (message: Stored) => Promise<void>) {
    this.pushes.set(topic, handler);
  }
  /** Correlation ids of a subscription's messages that any puller could get now. */
  available(subscription: string): string[] {
    return this.sub(subscription).available.map((m) => m.attributes.correlationId);
  }
  leased(subscription: string): number {
    return this.sub(subscription).leased.size;
  }
  private sub(name: string) {
    const found = this.subscriptions.get(name);
    if (!found) throw new Error(`NOT_FOUND: subscription ${name}`);
    return found;
  }

  async publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string> {
    const message = { messageId: `m${++this.published}`, data, attributes: { ...attributes } };
    this.topics.set(topic, [...(this.topics.get(topic) ?? []), message]);
    for (const s of this.subscriptions.values()) if (s.topic === topic) s.available.push(message);
    await this.pushes.get(topic)?.(message);
    return message.messageId;
  }
  async pull(subscription: string, maxMessages: number, _timeoutMs: number): Promise<Received[]> {
    const s = this.sub(subscription);
    const batch = s.available.splice(0, maxMessages);
    return batch.map((m) => {
      const ackId = `${m.messageId}/${++this.deliveries}`;
      s.leased.set(ackId, m);
      return { ackId, messageId: m.messageId, data: m.data, attributes: m.attributes };
    });
  }
  async ack(subscription: string, ackIds: readonly string[]) {
    this.calls.push(`ack ${ackIds.join(",")}`);
    for (const id of ackIds) this.sub(subscription).leased.delete(id);
  }
  async nack(subscription: string, ackIds: readonly string[]) {
    this.calls.push(`nack ${ackIds.join(",")}`);
    const s = this.sub(subscription);
    for (const id of ackIds) {
      const m = s.leased.get(id);
      if (!m) continue;
      s.leased.delete(id);
      s.available.push(m);
    }
  }
}

/** The answer the service would publish for a correlation id (the tests only need its attribute and JSON). */
const answer = (correlationId: string, minutes: number) => Buffer.from(JSON.stringify({ correlationId, predictedDelayMinutes: minutes }));

/** A bus that records each call of one client, with that client's name. */
function recorded(bus: Bus, log: string[], who: string): Bus {
  return {
    publish: (topic, data, attributes) => bus.publish(topic, data, attributes),
    pull: (s, n, t) => bus.pull(s, n, t),
    ack: (s, ids) => (log.push(`${who} ack ${ids.join(",")}`), bus.ack(s, ids)),
    nack: (s, ids) => (log.push(`${who} nack ${ids.join(",")}`), bus.nack(s, ids)),
  };
}

/** A clock that moves only when someone sleeps. */
function fakeClock() {
  const clock = { ms: 0, sleeps: [] as number[] };
  return { clock, wait: { now: () => clock.ms, sleep: async (ms: number) => void (clock.sleeps.push(ms), (clock.ms += ms)) } };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stream-client-"));
const OUTPUTS = path.join(dir, "outputs.json");
fs.writeFileSync(OUTPUTS, JSON.stringify({ jobs: {}, pipelines: { streaming: { requestTopic: REQUEST_TOPIC, resultSubscription: RESULTS } } }));
const REQUEST = { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30" };
const REQUEST_FILE = path.join(dir, "request.json");
fs.writeFileSync(REQUEST_FILE, JSON.stringify(REQUEST));

function io(bus: Bus, id: string, wait = fakeClock().wait) {
  const out: string[] = [];
  const err: string[] = [];
  const value: StreamIo = { out: (t) => out.push(t), err: (t) => err.push(t), bus, newId: () => id, wait };
  return { io: value, out, err };
}

/** A fake with the results subscription, and the service (the real handler and model) pushed every request. */
function withService() {
  const bus = new FakePubSub();
  bus.subscribe(RESULTS, RESULT_TOPIC);
  bus.pushTo(REQUEST_TOPIC, async (m) => {
    const body = JSON.stringify({
      message: { data: m.data.toString("base64"), attributes: m.attributes, messageId: m.messageId },
      subscription: "projects/p-dev/subscriptions/stream-push",
    });
    const result = await handlePush(body, { resultTopic: RESULT_TOPIC, publishDeadlineMs: 30_000 }, model, bus, () => undefined);
    if (result.status !== 200) throw new Error(`push answered ${result.status}`);
  });
  return bus;
}

describe("client/stream", () => {
  it("send publishes the file's JSON to the request topic with a correlationId attribute and prints the id", async () => {
    const bus = new FakePubSub();
    const run = io(bus, "id-a");
    expect(await main(["send", "--file", REQUEST_FILE, "--outputs", OUTPUTS], run.io)).to.equal(EXIT.done);
    expect(run.out).to.deep.equal(["id-a\n"]);
    const sent = bus.topics.get(REQUEST_TOPIC)!;
    expect(sent.map((m) => ({ data: JSON.parse(m.data.toString()) as unknown, attributes: m.attributes }))).to.deep.equal([
      { data: REQUEST, attributes: { correlationId: "id-a" } },
    ]);
  });

  it("send --wait prints its answer from the real service handler, acknowledging that message only", async () => {
    const bus = withService();
    const run = io(bus, "id-a");
    expect(await main(["send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--wait"], run.io)).to.equal(EXIT.done);
    expect(JSON.parse(run.out.join(""))).to.deep.equal({ correlationId: "id-a", predictedDelayMinutes: 0.1, model: { trainedRows: 8000, maeMinutes: 19.61 } });
    expect(run.err[0]).to.equal(`published id-a (message m1) to ${REQUEST_TOPIC}; waiting up to 60 s on ${RESULTS}\n`);
    expect(run.err.slice(1).join("")).to.match(/^stream send: ANSWERED in \S+; correlation id id-a; the answer on stdout\n$/);
    expect(bus.calls).to.deep.equal(["ack m2/1"]);
    expect(bus.available(RESULTS)).to.deep.equal([]);
    expect(bus.leased(RESULTS)).to.equal(0);
  });

  it("--stack and --outputs before the subcommand too, as the README writes it; --timeout in the one duration grammar", async () => {
    const bus = withService();
    const run = io(bus, "id-a");
    expect(await main(["--outputs", OUTPUTS, "send", "--file", REQUEST_FILE, "--wait", "--timeout", "1m30s"], run.io)).to.equal(EXIT.done);
    expect(run.err[0]).to.equal(`published id-a (message m1) to ${REQUEST_TOPIC}; waiting up to 90 s on ${RESULTS}\n`);
    expect(run.err.slice(1).join("")).to.match(/^stream send: ANSWERED in \S+; correlation id id-a; the answer on stdout\n$/);
    expect(JSON.parse(run.out.join(""))).to.deep.include({ correlationId: "id-a" });
  });

  it("an error answer from the service (a request it refused) is printed and exits 2", async () => {
    const bus = new FakePubSub();
    bus.subscribe(RESULTS, RESULT_TOPIC);
    const refusal = (id: string) => ({ correlationId: id, error: "not a trip request: origin: expected a three-letter IATA airport code, e.g. SFO" });
    bus.pushTo(
      REQUEST_TOPIC,
      async (m) =>
        void (await bus.publish(RESULT_TOPIC, Buffer.from(JSON.stringify(refusal(m.attributes.correlationId))), { correlationId: m.attributes.correlationId })),
    );
    const run = io(bus, "id-a");
    expect(await main(["send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--wait"], run.io)).to.equal(EXIT.badInput);
    expect(JSON.parse(run.out.join(""))).to.deep.equal(refusal("id-a"));
    expect(run.err[1]).to.equal("error: the service refused the request: not a trip request: origin: expected a three-letter IATA airport code, e.g. SFO\n");
    expect(bus.available(RESULTS)).to.deep.equal([]);
  });

  it("acks only its own answer; another client's answer is handed back (ack deadline 0) and stays there for its owner", async () => {
    const bus = new FakePubSub();
    bus.subscribe(RESULTS, RESULT_TOPIC);
    await bus.publish(RESULT_TOPIC, answer("id-b", 5), { correlationId: "id-b" });
    await bus.publish(RESULT_TOPIC, Buffer.from("{}"), {}); // no correlation id: nobody's, never acknowledged here
    await bus.publish(RESULT_TOPIC, answer("id-a", 1), { correlationId: "id-a" });
    const { wait } = fakeClock();
    const a = await awaitAnswer(bus, RESULTS, "id-a", { timeoutMs: 5000, ...wait });
    expect(a).to.deep.equal({ kind: "answer", answer: { correlationId: "id-a", predictedDelayMinutes: 1 }, messageId: "m3", duplicates: 0, handedBack: 2 });
    expect(bus.calls).to.deep.equal(["nack m1/1,m2/2", "ack m3/3"]);
    expect(bus.available(RESULTS)).to.deep.equal(["id-b", undefined]);
    const b = await awaitAnswer(bus, RESULTS, "id-b", { timeoutMs: 5000, ...wait });
    expect(b).to.deep.include({ kind: "answer", answer: { correlationId: "id-b", predictedDelayMinutes: 5 }, messageId: "m1" });
    expect(bus.calls.slice(2)).to.deep.equal(["nack m2/5", "ack m1/4"]);
    expect(bus.available(RESULTS)).to.deep.equal([undefined]);
  });

  it("pulls in batches of maxMessages and keeps pulling, pausing 100 ms doubling to 1 s, until its answer comes", async () => {
    const bus = new FakePubSub();
    bus.subscribe(RESULTS, RESULT_TOPIC);
    for (const id of ["x1", "x2", "x3"]) await bus.publish(RESULT_TOPIC, answer(id, 0), { correlationId: id });
    const { clock, wait } = fakeClock();
    let pulls = 0;
    const late: Bus = {
      publish: bus.publish.bind(bus),
      ack: bus.ack.bind(bus),
      nack: bus.nack.bind(bus),
      async pull(s, n, t) {
        if (++pulls === 6) await bus.publish(RESULT_TOPIC, answer("id-a", 2), { correlationId: "id-a" });
        return bus.pull(s, n, t);
      },
    };
    const a = await awaitAnswer(late, RESULTS, "id-a", { timeoutMs: 60_000, maxMessages: 2, ...wait });
    // Six pulls of two foreign answers each, handed back behind the waiting ones; the answer arrives before the
    // sixth pull, behind x2, x3 and x1, and comes in the seventh (deliveries 13 and 14: x1, then the answer).
    expect(a).to.deep.include({ kind: "answer", messageId: "m4", handedBack: 13 });
    expect(clock.sleeps).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    expect(bus.calls.filter((c) => c.startsWith("ack"))).to.deep.equal(["ack m4/14"]);
    expect(bus.calls.at(-2)).to.equal("nack m1/13");
    expect(bus.available(RESULTS)).to.deep.equal(["x2", "x3", "x1"]);
  });

  it("two clients interleaved on one result subscription each get exactly their own answer", async () => {
    const bus = withService();
    const log: string[] = [];
    const { wait } = fakeClock();
    const a = io(recorded(bus, log, "a"), "id-a", wait);
    const b = io(recorded(bus, log, "b"), "id-b", wait);
    const fileB = path.join(dir, "request-b.json");
    fs.writeFileSync(fileB, JSON.stringify({ ...REQUEST, departure: "2001-01-05T18:00" }));
    const codes = await Promise.all([
      main(["send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--wait", "--timeout", "10"], a.io),
      main(["send", "--file", fileB, "--outputs", OUTPUTS, "--wait", "--timeout", "10"], b.io),
    ]);
    expect(codes).to.deep.equal([0, 0]);
    expect(JSON.parse(a.out.join(""))).to.deep.include({ correlationId: "id-a", predictedDelayMinutes: 0.1 });
    expect(JSON.parse(b.out.join(""))).to.deep.include({ correlationId: "id-b", predictedDelayMinutes: 14.4 });
    // Requests m1 (a) and m3 (b); their answers m2 (a) and m4 (b). a's first pull leased both answers.
    expect(log).to.deep.equal(["a nack m4/2", "a ack m2/1", "b ack m4/3"]);
    expect(bus.available(RESULTS)).to.deep.equal([]);
    expect(bus.leased(RESULTS)).to.equal(0);
  });

  it("acknowledges a duplicate of its answer (a redelivered request answered twice) and returns one", async () => {
    const bus = new FakePubSub();
    bus.subscribe(RESULTS, RESULT_TOPIC);
    await bus.publish(RESULT_TOPIC, answer("id-a", 3), { correlationId: "id-a" });
    await bus.publish(RESULT_TOPIC, answer("id-a", 3), { correlationId: "id-a" });
    const a = await awaitAnswer(bus, RESULTS, "id-a", { timeoutMs: 1000, ...fakeClock().wait });
    expect(a).to.deep.include({ kind: "answer", messageId: "m1", duplicates: 1, handedBack: 0 });
    expect(bus.calls).to.deep.equal(["ack m1/1,m2/2"]);
  });

  it("times out with exit 1, naming the timeout and the subscription; it never acknowledged another's answer", async () => {
    const bus = new FakePubSub();
    bus.subscribe(RESULTS, RESULT_TOPIC);
    await bus.publish(RESULT_TOPIC, answer("id-b", 5), { correlationId: "id-b" });
    const { clock, wait } = fakeClock();
    const run = io(bus, "id-a", wait);
    expect(await main(["send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--wait", "--timeout", "2.5"], run.io)).to.equal(EXIT.failed);
    expect(run.out).to.deep.equal([]);
    expect(run.err[1]).to.equal(`error: no answer for id-a within the --timeout of 2.5 s on ${RESULTS}, try a longer --timeout\n`);
    expect(clock.ms).to.equal(2500);
    expect(clock.sleeps).to.deep.equal([100, 200, 400, 800, 1000]);
    expect(bus.calls.every((c) => c.startsWith("nack m1/"))).to.equal(true);
    expect(bus.calls).to.have.length(5); // pulls at 0, 100, 300, 700 and 1500 ms
    expect(bus.available(RESULTS)).to.deep.equal(["id-b"]);
    const b = await awaitAnswer(bus, RESULTS, "id-b", { timeoutMs: 1000, ...wait });
    expect(b).to.deep.include({ kind: "answer", messageId: "m1" });
  });

  it("bad input exits 2 naming the flag, before anything is published", async () => {
    const bus = new FakePubSub();
    const attempt = async (...argv: string[]) => {
      const run = io(bus, "id-a");
      const code = await main(argv, run.io);
      return { code, err: run.err.join("") };
    };
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ ...REQUEST, departure: "2001-02-30T08:00" }));
    const notJson = path.join(dir, "not.json");
    fs.writeFileSync(notJson, "{");
    const noStreaming = path.join(dir, "outputs-no-streaming.json");
    fs.writeFileSync(noStreaming, JSON.stringify({ jobs: {} }));
    const badTopic = path.join(dir, "outputs-bad-topic.json");
    fs.writeFileSync(badTopic, JSON.stringify({ pipelines: { streaming: { requestTopic: "stream-requests", resultSubscription: RESULTS } } }));

    expect(await attempt("send", "--outputs", OUTPUTS)).to.deep.equal({ code: 2, err: "error: required option '--file <file>' not specified (see --help)\n" });
    expect(await attempt("send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--wait", "--timeout", "abc")).to.deep.equal({
      code: 2,
      err: 'error: --timeout "abc": expected a duration from more than 0 to 1h, such as 90s, 30m, 1h30m or 600 (seconds)\n',
    });
    expect((await attempt("send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--timeout", "0")).err).to.equal(
      'error: --timeout "0": expected a duration from more than 0 to 1h, such as 90s, 30m, 1h30m or 600 (seconds)\n',
    );
    expect(await attempt("send", "--file", path.join(dir, "none.json"), "--outputs", OUTPUTS)).to.deep.equal({
      code: 2,
      err: `error: --file: no such file ${path.join(dir, "none.json")}\n`,
    });
    expect(await attempt("send", "--file", notJson, "--outputs", OUTPUTS)).to.deep.equal({ code: 2, err: `error: --file: ${notJson} is not JSON\n` });
    expect(await attempt("send", "--file", bad, "--outputs", OUTPUTS)).to.deep.equal({
      code: 2,
      err: `error: --file: ${bad} is not a trip request: departure: no such date or time\n`,
    });
    expect(await attempt("send", "--file", REQUEST_FILE, "--outputs", noStreaming)).to.deep.equal({
      code: 2,
      err: `error: --outputs: ${noStreaming} has no streaming pipeline: pipelines: Invalid input: expected object, received undefined\n`,
    });
    expect(await attempt("send", "--file", REQUEST_FILE, "--outputs", badTopic)).to.deep.equal({
      code: 2,
      err: `error: --outputs: ${badTopic} has no streaming pipeline: pipelines.streaming.requestTopic: expected projects/<project>/topics/<topic>\n`,
    });
    expect((await attempt("send", "--file", REQUEST_FILE, "--outputs", path.join(dir, "missing.json"))).err).to.match(/^error: --outputs: no such file /);
    expect(await attempt("send", "--file", REQUEST_FILE, "--outputs", OUTPUTS, "--nope")).to.deep.equal({
      code: 2,
      err: "error: unknown option '--nope' (see --help)\n",
    });
    expect((await attempt("recv")).code).to.equal(2);
    expect(bus.topics.size).to.equal(0);
  });

  it("a Pub/Sub error exits 3 naming it", async () => {
    const fake = new FakePubSub();
    const failing: Bus = {
      publish: async () => Promise.reject(new Error("7 PERMISSION_DENIED: User not authorized to perform this action.")),
      pull: fake.pull.bind(fake),
      ack: fake.ack.bind(fake),
      nack: fake.nack.bind(fake),
    };
    const run = io(failing, "id-a");
    expect(await main(["send", "--file", REQUEST_FILE, "--outputs", OUTPUTS], run.io)).to.equal(EXIT.environment);
    expect(run.err).to.deep.equal(["error: Pub/Sub: 7 PERMISSION_DENIED: User not authorized to perform this action.\n"]);
  });
});
