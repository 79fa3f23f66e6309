import { expect } from "chai";
import * as fs from "fs";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { DataError, departureAt, features, Flight, loadFlights, train } from "../../images/stream/src/model";
import { InvalidRequest, MalformedPush, parsePush } from "../../images/stream/src/request";
import { createServer, dataFile, handlePush, MAX_REQUEST_BYTES, Publisher, PublishTimeout } from "../../images/stream/src/server";
import { postTo } from "../helpers/http-post";

const DATA = path.join(__dirname, "..", "..", "node_modules", "vega-datasets", "data", "flights-10k.json");
const SAMPLE = path.join(__dirname, "..", "..", "images", "stream", "sample");
const flights = loadFlights(DATA);
const model = train(flights);
const CONFIG = { resultTopic: "projects/p-dev/topics/stream-results", publishDeadlineMs: 30_000 };
const quiet = () => undefined;

/** A push request as Pub/Sub sends it, with `request` as the message data. */
function push(request: unknown, attributes: Record<string, string> = { correlationId: "c-1" }, messageId = "m-1"): string {
  const data = Buffer.from(typeof request === "string" ? request : JSON.stringify(request)).toString("base64");
  return JSON.stringify({ message: { data, attributes, messageId }, subscription: "projects/p-dev/subscriptions/stream-push" });
}
const SFO_LAX = { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30" };

/** Records what is published; `fail` makes every publish reject. */
function memoryPublisher(fail?: string) {
  const published: { topic: string; data: string; attributes: Record<string, string> }[] = [];
  const publisher: Publisher = {
    async publish(topic, data, attributes) {
      if (fail) throw new Error(fail);
      published.push({ topic, data: data.toString("utf8"), attributes });
      return `r-${published.length}`;
    },
  };
  return { publisher, published };
}

describe("images/stream", () => {
  it("trains on the 10,000 flights of vega-datasets and beats always-the-mean on the held-out fifth (but not always-the-median)", () => {
    const m = model.metrics;
    expect(m).to.deep.include({ trainedRows: 8000, testRows: 2000 });
    expect(m.maeMinutes).to.be.closeTo(19.611, 0.001);
    expect(m.baselineMaeMinutes).to.be.closeTo(19.922, 0.001);
    expect(m.medianBaselineMaeMinutes).to.be.closeTo(18.384, 0.001);
    expect(m.meanDelayMinutes).to.be.closeTo(7.642, 0.001);
    expect(m.maeMinutes).to.be.below(m.baselineMaeMinutes);
    // Honest: delay is mostly noise to these features; the median, the best constant for absolute error, does better.
    expect(m.maeMinutes).to.be.above(m.medianBaselineMaeMinutes);
  });

  it("a model fitted on shuffled delays does not beat the mean baseline (the comparison can fail)", () => {
    const shuffled = flights.map((f, i): Flight => ({ ...f, delay: flights[(i * 7919) % flights.length].delay }));
    const m = train(shuffled).metrics;
    expect(m.maeMinutes).to.be.closeTo(19.936, 0.001);
    expect(m.maeMinutes).to.be.above(m.baselineMaeMinutes);
  });

  it("features: distance in thousands of miles, the hour as two harmonics, the weekday one-hot from Monday", () => {
    expect(departureAt(2001, 1, 1, 8, 30)).to.deep.equal({ hourOfDay: 8.5, dayOfWeek: 1 }); // a Monday
    expect(departureAt(2001, 3, 31, 22, 27)).to.deep.equal({ hourOfDay: 22 + 27 / 60, dayOfWeek: 6 });
    expect(departureAt(2001, 2, 29, 8, 0)).to.equal(undefined);
    expect(departureAt(2001, 1, 1, 24, 0)).to.equal(undefined);
    const x = features({ distance: 1500, departure: { hourOfDay: 6, dayOfWeek: 0 } });
    expect(x.map((v) => Number(v.toFixed(6)))).to.deep.equal([1.5, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0]);
    expect(features({ distance: 500, departure: { hourOfDay: 0, dayOfWeek: 5 } }).slice(5)).to.deep.equal([0, 0, 0, 0, 1, 0]);
  });

  it("predicts more delay for a Friday evening departure than a Monday morning one, same route", () => {
    const monday = model.predict({ distance: 337, departure: departureAt(2001, 1, 1, 8, 30)! });
    const friday = model.predict({ distance: 337, departure: departureAt(2001, 1, 5, 18, 0)! });
    expect(Number(monday.toFixed(1))).to.equal(0.1);
    expect(Number(friday.toFixed(1))).to.equal(14.4);
  });

  it("refuses training data that is not flights, naming the file and the field", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stream-"));
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify([{ date: "2001-01-01", delay: 1, distance: 2, origin: "A", destination: "B" }]));
    expect(() => loadFlights(bad)).to.throw(DataError, `${bad} is not a list of flights: 0.date: expected YYYY/MM/DD HH:MM`);
    expect(() => loadFlights(path.join(dir, "none.json"))).to.throw(DataError, /^cannot read the training data/);
    expect(() => train(flights.slice(0, 49))).to.throw(DataError, "need at least 50 flights to train on; got 49");
    expect(dataFile({ DATA_FILE: "/app/data/flights-10k.json" })).to.equal("/app/data/flights-10k.json");
    expect(dataFile({})).to.match(/node_modules\/vega-datasets\/data\/flights-10k\.json$/);
    expect(fs.readFileSync(dataFile({}), "utf8")).to.equal(fs.readFileSync(DATA, "utf8"));
  });

  it("reads a push: the correlationId attribute and the trip request; 400-class and 422-class errors name the field", () => {
    expect(parsePush(push(SFO_LAX))).to.deep.equal({ correlationId: "c-1", messageId: "m-1", request: SFO_LAX });
    const malformed = (body: string) => expect(() => parsePush(body)).to.throw(MalformedPush);
    malformed("{");
    malformed(push(SFO_LAX, {}));
    malformed(push(SFO_LAX, { correlationId: "" }));
    malformed(JSON.stringify({ message: { attributes: { correlationId: 7 }, data: "" } }));
    expect(() => parsePush(push(SFO_LAX, { other: "x" }))).to.throw("not a Pub/Sub push with a correlationId attribute: message.attributes.correlationId");
    expect(() => parsePush(push("not json"))).to.throw(InvalidRequest, "the message data is not base64-encoded JSON");
    // A readable correlation id makes the rest answerable: no data, data that is not base64, no message id.
    const envelope = (message: object) => JSON.stringify({ message: { attributes: { correlationId: "c" }, messageId: "1", ...message } });
    expect(() => parsePush(envelope({}))).to.throw(
      InvalidRequest,
      "not a Pub/Sub push of a trip request: message.data: the message has no data: publish the trip request's JSON as the message data",
    );
    expect(() => parsePush(envelope({ data: "" }))).to.throw(InvalidRequest, "message.data: the message has no data");
    expect(() => parsePush(envelope({ data: "not base64!" }))).to.throw(
      InvalidRequest,
      "not a Pub/Sub push of a trip request: message.data: the message data is not base64, as Pub/Sub push sends it",
    );
    expect(() => parsePush(envelope({ data: "e30=", messageId: undefined }))).to.throw(
      InvalidRequest,
      /^not a Pub\/Sub push of a trip request: message\.messageId/,
    );
    expect(() => parsePush(push({ ...SFO_LAX, distance: -1 }))).to.throw(InvalidRequest, /^not a trip request: distance: /);
    expect(() => parsePush(push({ ...SFO_LAX, distance: 5001 }))).to.throw(InvalidRequest, /^not a trip request: distance: /);
    expect(() => parsePush(push({ ...SFO_LAX, origin: "sfo" }))).to.throw(
      InvalidRequest,
      "not a trip request: origin: expected a three-letter IATA airport code, e.g. SFO",
    );
    expect(() => parsePush(push({ ...SFO_LAX, destination: "SFO" }))).to.throw(
      InvalidRequest,
      "not a trip request: destination: origin and destination are the same airport",
    );
    expect(() => parsePush(push({ ...SFO_LAX, departure: "2001-02-29T08:30" }))).to.throw(
      InvalidRequest,
      "not a trip request: departure: no such date or time",
    );
    expect(() => parsePush(push({ ...SFO_LAX, departure: "2001-01-01 08:30" }))).to.throw(
      InvalidRequest,
      /^not a trip request: departure: expected a local date and time YYYY-MM-DDTHH:MM/,
    );
  });

  it("the sample push: publishes exactly the answer, with the request's correlationId attribute, to RESULT_TOPIC; 200", async () => {
    const push = JSON.parse(fs.readFileSync(path.join(SAMPLE, "push.json"), "utf8")) as { message: { data: string } };
    expect(JSON.parse(Buffer.from(push.message.data, "base64").toString())).to.deep.equal(
      JSON.parse(fs.readFileSync(path.join(SAMPLE, "request.json"), "utf8")),
    );
    const { publisher, published } = memoryPublisher();
    const result = await handlePush(fs.readFileSync(path.join(SAMPLE, "push.json"), "utf8"), CONFIG, model, publisher, quiet);
    const answer = { correlationId: "3f0c2a1e-7b7d-4c55-9a51-6c8e2b1d9f00", predictedDelayMinutes: 0.1, model: { trainedRows: 8000, maeMinutes: 19.61 } };
    expect(result).to.deep.equal({ status: 200, body: { ...answer, resultMessageId: "r-1" } });
    expect(published).to.deep.equal([
      { topic: CONFIG.resultTopic, data: JSON.stringify(answer), attributes: { correlationId: "3f0c2a1e-7b7d-4c55-9a51-6c8e2b1d9f00" } },
    ]);
  });

  it("a redelivered message publishes the same answer again", async () => {
    const { publisher, published } = memoryPublisher();
    const body = push({ ...SFO_LAX, departure: "2001-01-05T18:00" }, { correlationId: "c-7" }, "m-7");
    await handlePush(body, CONFIG, model, publisher, quiet);
    await handlePush(body, CONFIG, model, publisher, quiet);
    expect(published).to.have.length(2);
    expect(published[1]).to.deep.equal(published[0]);
    expect(JSON.parse(published[0].data)).to.deep.equal({ correlationId: "c-7", predictedDelayMinutes: 14.4, model: { trainedRows: 8000, maeMinutes: 19.61 } });
  });

  it("400 for a malformed push, nothing published; an invalid request gets an error answer with its correlation id (200); a publish failure is thrown (500)", async () => {
    const { publisher, published } = memoryPublisher();
    expect(await handlePush("not json", CONFIG, model, publisher, quiet)).to.deep.equal({ status: 400, body: { error: "the body is not JSON" } });
    expect((await handlePush(push(SFO_LAX, {}), CONFIG, model, publisher, quiet)).status).to.equal(400);
    expect(published).to.deep.equal([]);
    const error = "not a trip request: distance: Invalid input: expected number, received string";
    expect(await handlePush(push({ ...SFO_LAX, distance: "337" }, { correlationId: "c-bad" }), CONFIG, model, publisher, quiet)).to.deep.equal({
      status: 200,
      body: { correlationId: "c-bad", error, resultMessageId: "r-1" },
    });
    expect(published).to.deep.equal([
      { topic: CONFIG.resultTopic, data: JSON.stringify({ correlationId: "c-bad", error }), attributes: { correlationId: "c-bad" } },
    ]);
    published.length = 0;
    let thrown = "";
    await handlePush(push(SFO_LAX), CONFIG, model, memoryPublisher("topic not found").publisher, quiet).catch((err: Error) => (thrown = err.message));
    expect(thrown).to.equal("topic not found");
  });

  it("a push with a readable correlationId but no data, or data that is not base64, is answered with an error for that correlation id and acknowledged (200)", async () => {
    const { publisher, published } = memoryPublisher();
    const noData = JSON.stringify({ message: { attributes: { correlationId: "c-empty" }, messageId: "m-2" } });
    const notBase64 = JSON.stringify({ message: { attributes: { correlationId: "c-b64" }, data: "{not base64}", messageId: "m-3" } });
    const noDataError = "not a Pub/Sub push of a trip request: message.data: the message has no data: publish the trip request's JSON as the message data";
    const notBase64Error = "not a Pub/Sub push of a trip request: message.data: the message data is not base64, as Pub/Sub push sends it";
    expect(await handlePush(noData, CONFIG, model, publisher, quiet)).to.deep.equal({
      status: 200,
      body: { correlationId: "c-empty", error: noDataError, resultMessageId: "r-1" },
    });
    expect(await handlePush(notBase64, CONFIG, model, publisher, quiet)).to.deep.equal({
      status: 200,
      body: { correlationId: "c-b64", error: notBase64Error, resultMessageId: "r-2" },
    });
    expect(published).to.deep.equal([
      { topic: CONFIG.resultTopic, data: JSON.stringify({ correlationId: "c-empty", error: noDataError }), attributes: { correlationId: "c-empty" } },
      { topic: CONFIG.resultTopic, data: JSON.stringify({ correlationId: "c-b64", error: notBase64Error }), attributes: { correlationId: "c-b64" } },
    ]);
    // Without a usable correlation id there is nobody to answer: 400, nothing published.
    const nobody = JSON.stringify({ message: { attributes: { correlationId: "" }, messageId: "m-4" } });
    expect(await handlePush(nobody, CONFIG, model, publisher, quiet)).to.deep.equal({
      status: 400,
      body: { error: "not a Pub/Sub push with a correlationId attribute: message.attributes.correlationId: Too small: expected string to have >=1 characters" },
    });
    expect(published).to.have.length(2);
  });

  it("a body over MAX_REQUEST_BYTES gets 413, from its Content-Length before it is sent, or once a chunked one goes over; the largest push Pub/Sub can send is read and answered", async () => {
    const { publisher, published } = memoryPublisher();
    const server = createServer(CONFIG, model, publisher, quiet).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const error = `the request body is over ${MAX_REQUEST_BYTES} bytes, more than a push of a Pub/Sub message (at most 10 MB of data) can be`;
      // The headers alone, a 50 MB body announced: the answer comes before a byte of it is sent.
      expect(await postTo(port, { "content-length": String(50_000_000) }, () => undefined)).to.deep.equal({ status: 413, body: { error } });
      expect(await postTo(port, {}, (req) => req.write("x".repeat(MAX_REQUEST_BYTES + 1)))).to.deep.equal({ status: 413, body: { error } });
      expect(published).to.deep.equal([]);
      // 10 MiB of data (more than Pub/Sub's 10 MB) with 100 attributes of the largest size still fits.
      const attributes = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${i}`.padStart(256, "k"), "v".repeat(1024)]));
      const largest = push("x".repeat(10 * 1024 * 1024), { ...attributes, correlationId: "c-large" });
      expect(Buffer.byteLength(largest)).to.be.below(MAX_REQUEST_BYTES);
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: largest });
      expect(answer.status).to.equal(200);
      expect(JSON.parse(published[0].data)).to.deep.equal({ correlationId: "c-large", error: "the message data is not base64-encoded JSON" });
    } finally {
      server.close();
    }
  });

  it("serves HTTP: health check with the model's metrics, 200 on push (an invalid request too: it is answered), 400, 500 when publishing fails, 404", async () => {
    const logged: string[] = [];
    const { publisher, published } = memoryPublisher();
    const ok = createServer(CONFIG, model, publisher, (severity, message) => logged.push(`${severity} ${message}`)).listen(0, "127.0.0.1");
    const failing = createServer(CONFIG, model, memoryPublisher("unavailable").publisher, (severity, message) => logged.push(`${severity} ${message}`)).listen(
      0,
      "127.0.0.1",
    );
    await Promise.all([ok, failing].map((s) => new Promise((resolve) => s.once("listening", resolve))));
    const base = (s: typeof ok) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${base(ok)}/healthz`);
      expect(health.status).to.equal(200);
      expect(((await health.json()) as { model: { trainedRows: number } }).model.trainedRows).to.equal(8000);
      expect((await fetch(base(ok), { method: "POST", body: push(SFO_LAX) })).status).to.equal(200);
      expect((await fetch(base(ok), { method: "POST", body: "{}" })).status).to.equal(400);
      expect((await fetch(base(ok), { method: "POST", body: push({ ...SFO_LAX, origin: "X" }) })).status).to.equal(200);
      expect((await fetch(base(failing), { method: "POST", body: push(SFO_LAX) })).status).to.equal(500);
      expect((await fetch(`${base(ok)}/other`)).status).to.equal(404);
      expect(published).to.have.length(2);
      expect(JSON.parse(published[1].data)).to.deep.include({ error: "not a trip request: origin: expected a three-letter IATA airport code, e.g. SFO" });
      expect(logged.map((l) => l.split(" ")[0])).to.deep.equal(["INFO", "WARNING", "WARNING", "ERROR"]);
      expect(logged[3]).to.equal("ERROR failed to publish the result: unavailable");
    } finally {
      ok.close();
      failing.close();
    }
  });

  it("a publish that outlives its deadline is a 500 (redelivered) before Pub/Sub's ack deadline, not a hang", async () => {
    // The publish never settles, so the outcome does not depend on the machine's speed.
    const stuck: Publisher = { publish: () => new Promise<string>(() => undefined) };
    let thrown: unknown;
    await handlePush(push(SFO_LAX), { ...CONFIG, publishDeadlineMs: 20 }, model, stuck, quiet).catch((err: unknown) => (thrown = err));
    expect(thrown).to.be.instanceOf(PublishTimeout);
    expect((thrown as Error).message).to.equal("publishing the answer took longer than 20 ms");
    const server = createServer({ ...CONFIG, publishDeadlineMs: 20 }, model, stuck, quiet).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      expect((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { method: "POST", body: push(SFO_LAX) })).status).to.equal(500);
    } finally {
      server.close();
    }
  });
});
