import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import * as fs from "fs";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import { MAX_RECORD_BYTES } from "../../images/scorer/src/csv";
import { CHILD_TEST_TIMEOUT_MS } from "../helpers/child";
import { LabelledSample, MAX_SAMPLE_ROWS } from "../../images/scorer/src/model";
import { parsePush, resultNames } from "../../images/scorer/src/push";
import { createServer, handlePush, MAX_INPUT_BYTES, MAX_REQUEST_BYTES } from "../../images/scorer/src/server";
import { localStore, ObjectStore } from "../../images/scorer/src/store";
import { postTo } from "../helpers/http-post";
import { scorerMetrics } from "../helpers/image-output";

type Row = Record<string, string>;

const penguins = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "node_modules", "vega-datasets", "data", "penguins.json"), "utf8")) as Record<string, unknown>[]
).map((r): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? "" : String(v as string | number)])));
/** Penguins with every tenth species removed: the rows to predict. */
const withHidden = penguins.map((r, i) => (i % 10 === 3 ? { ...r, Species: "" } : r));
const csvOf = (rows: Row[]) => stringify(rows, { header: true });

function push(attributes: Record<string, string>): string {
  return JSON.stringify({ message: { attributes, data: Buffer.from("{}").toString("base64"), messageId: "1" }, subscription: "projects/p/subscriptions/s" });
}
const GENERATION = "1700000000000001";
const finalize = (objectId: string) =>
  push({ eventType: "OBJECT_FINALIZE", bucketId: "p-dev-input", objectId, objectGeneration: GENERATION, payloadFormat: "JSON_API_V1" });

/**
 * An in-memory store: `objects` by `bucket/name#generation`, read in chunks of `chunkBytes`; what is written, by
 * `bucket/name`; how many times objects were read.
 */
function memoryStore(objects: Record<string, string | Buffer>, chunkBytes = 64 * 1024) {
  const written = new Map<string, string>();
  const counts = { reads: 0 };
  const content = (o: { bucket: string; name: string; generation: string }) => {
    const found = objects[`${o.bucket}/${o.name}#${o.generation}`];
    if (found === undefined) throw new Error(`No such object: ${o.bucket}/${o.name}`);
    return Buffer.from(found);
  };
  const store: ObjectStore = {
    size: async (o) => content(o).length,
    read: (o) => {
      counts.reads++;
      const bytes = content(o);
      return Readable.from(Array.from({ length: Math.ceil(bytes.length / chunkBytes) }, (_, i) => bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes)));
    },
    exists: async (bucket, name) => written.has(`${bucket}/${name}`),
    async write(bucket, name, _type, stream) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
      written.set(`${bucket}/${name}`, Buffer.concat(chunks).toString("utf8"));
    },
  };
  return { store, written, counts };
}

const CONFIG = { outputBucket: "p-dev-output", label: "Species" };
const quiet = () => undefined;
const OUT = `p-dev-output/in/${GENERATION}`;

/** Scores `csv` as `p-dev-input/in.csv`: the answer, and the predictions and metrics written. */
async function scored(csv: string | Buffer, chunkBytes?: number) {
  const { store, written } = memoryStore({ [`p-dev-input/in.csv#${GENERATION}`]: csv }, chunkBytes);
  const answer = await handlePush(finalize("in.csv"), CONFIG, store, quiet);
  const metrics = written.get(`${OUT}/metrics.json`);
  return { answer, written, predictions: written.get(`${OUT}/predictions.csv`), metrics: metrics === undefined ? undefined : scorerMetrics(metrics) };
}

describe("images/scorer", () => {
  it("penguins: species from the four measurements, accuracy on held-out rows well above the majority class (44%)", async () => {
    const { metrics } = await scored(csvOf(penguins));
    expect(metrics).to.deep.include({
      label: "Species",
      classes: ["Adelie", "Chinstrap", "Gentoo"],
      rows: 344,
      labelledRows: 342,
      sampleCap: MAX_SAMPLE_ROWS,
      trainRows: 273,
      testRows: 69,
      predictedRows: 0,
      skippedRows: 2,
    });
    expect(metrics!.features).to.deep.equal(["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]);
    expect(metrics!.accuracy).to.be.at.least(0.9);
  });

  it("a model fitted on shuffled labels misses the floor (the floor tells a right model from a wrong one)", async () => {
    const shuffled = penguins.map((r, i) => ({ ...r, Species: penguins[(i * 7919) % penguins.length].Species }));
    expect((await scored(csvOf(shuffled))).metrics!.accuracy).to.be.below(0.7);
  });

  it("predicts the rows without a label, and those predictions are right at least 90% of the time", async () => {
    const { predictions, metrics } = await scored(csvOf(withHidden));
    // Every tenth penguin lost its species; one of those lacks its measurements and cannot be predicted (nor can one labelled row).
    const hidden = penguins.filter((r, i) => i % 10 === 3 && r["Body Mass (g)"] !== "");
    expect(metrics).to.deep.include({ predictedRows: 34, labelledRows: 308, skippedRows: 2 });
    const rows = parse<Row>(predictions!, { columns: true });
    expect(rows.map((p) => p["Body Mass (g)"])).to.deep.equal(hidden.map((r) => r["Body Mass (g)"]));
    const right = rows.filter((p, k) => p.predicted_Species === hidden[k].Species).length;
    expect(right / rows.length).to.be.at.least(0.9);
  });

  it("keeps a uniform sample of at most MAX_SAMPLE_ROWS labelled rows, the same one every time", () => {
    const sampled = () => {
      const sample = new LabelledSample(["Species", "i"], "Species");
      for (let i = 0; i < 100_000; i++) sample.add(["A", String(i)]);
      return sample;
    };
    const sample = sampled();
    expect(sample).to.deep.include({ rows: 100_000, labelled: 100_000 });
    const kept = sample.sample().map((r) => r.values[1]);
    expect(kept).to.have.length(MAX_SAMPLE_ROWS);
    expect(new Set(kept).size).to.equal(MAX_SAMPLE_ROWS);
    // Uniform over 0..99,999: a quarter of the sample in each quarter of the rows, give or take 4% (a first-rows
    // sample would have them all in the first). The seed is fixed, so this is the same sample on every run.
    for (let q = 0; q < 4; q++) expect(kept.filter((v) => Math.floor(v / 25_000) === q).length / MAX_SAMPLE_ROWS).to.be.closeTo(0.25, 0.01);
    expect(
      sampled()
        .sample()
        .map((r) => r.values[1]),
    ).to.deep.equal(kept);
  });

  it("a file with more labelled rows than the cap: fitted on at most 10,000 and tested on at most 2,500 of them, the same ones every time", async function () {
    // Two fits on 40,000 rows: 50 s of CPU on a loaded 2-core machine, near mocha's 60 s default; the test measures nothing about time.
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const many = Array.from({ length: 40_000 }, (_, i) => penguins[i % penguins.length]);
    const first = await scored(csvOf([...many, ...withHidden.filter((r) => r.Species === "")]));
    // 12,429 of the 12,500 labelled rows sampled hold every feature (2 of the 344 penguins lack their measurements).
    expect(first.metrics).to.deep.include({ rows: 40_035, labelledRows: 39_767, trainRows: 9_943, testRows: 2_486, predictedRows: 34, skippedRows: 234 });
    expect(first.metrics!.accuracy).to.be.at.least(0.9);
    const again = await scored(csvOf([...many, ...withHidden.filter((r) => r.Species === "")]));
    expect(again.written).to.deep.equal(first.written);
  });

  it("reads the push request: a finalized CSV is scored; other events and objects are acknowledged and ignored", () => {
    expect(parsePush(finalize("uploads/penguins.csv"))).to.deep.equal({
      kind: "score",
      object: { bucket: "p-dev-input", name: "uploads/penguins.csv", generation: GENERATION },
    });
    expect(parsePush(push({ eventType: "OBJECT_DELETE", bucketId: "b", objectId: "a.csv", objectGeneration: "1" }))).to.deep.equal({
      kind: "ignore",
      reason: "event OBJECT_DELETE of gs://b/a.csv is not OBJECT_FINALIZE",
    });
    expect(parsePush(finalize("notes.txt"))).to.deep.equal({ kind: "ignore", reason: "gs://p-dev-input/notes.txt is not a .csv object" });
    expect(() => parsePush("{")).to.throw("the body is not JSON");
    expect(() => parsePush(JSON.stringify({ message: { attributes: { eventType: "OBJECT_FINALIZE" } } }))).to.throw(
      /^not a Pub\/Sub push of a GCS notification: message\.attributes\.bucketId/,
    );
    expect(resultNames({ bucket: "b", name: "in/day.CSV", generation: "42" })).to.deep.equal({
      predictions: "in/day/42/predictions.csv",
      metrics: "in/day/42/metrics.json",
    });
  });

  it("scores a pushed CSV: predictions and metrics named by object and generation, metrics last, 200; a redelivery finds them and reads nothing", async () => {
    const { store, written, counts } = memoryStore({ [`p-dev-input/uploads/penguins.csv#${GENERATION}`]: csvOf(withHidden) });
    const first = await handlePush(finalize("uploads/penguins.csv"), CONFIG, store, quiet);
    expect(first.status).to.equal(200);
    expect([...written.keys()]).to.deep.equal([
      `p-dev-output/uploads/penguins/${GENERATION}/predictions.csv`,
      `p-dev-output/uploads/penguins/${GENERATION}/metrics.json`,
    ]);
    expect(counts.reads).to.equal(2); // two passes
    const predictions = parse<Row>(written.get(`p-dev-output/uploads/penguins/${GENERATION}/predictions.csv`)!, { columns: true });
    expect(predictions).to.have.length(34);
    expect(Object.keys(predictions[0])).to.deep.equal([
      "Species",
      "Island",
      "Beak Length (mm)",
      "Beak Depth (mm)",
      "Flipper Length (mm)",
      "Body Mass (g)",
      "Sex",
      "predicted_Species",
    ]);
    const metrics = scorerMetrics(written.get(`p-dev-output/uploads/penguins/${GENERATION}/metrics.json`)!);
    expect(metrics).to.deep.include({ source: `gs://p-dev-input/uploads/penguins.csv#${GENERATION}`, label: "Species", predictedRows: 34 });
    const before = new Map(written);
    expect(await handlePush(finalize("uploads/penguins.csv"), CONFIG, store, quiet)).to.deep.equal({
      status: 200,
      body: {
        source: `gs://p-dev-input/uploads/penguins.csv#${GENERATION}`,
        output: resultNames({ bucket: "p-dev-input", name: "uploads/penguins.csv", generation: GENERATION }),
        alreadyScored: true,
      },
    });
    expect(counts.reads).to.equal(2);
    expect(written).to.deep.equal(before);
  });

  it("copies each predicted row byte for byte (quotes, commas and line breaks in fields, spaces, CRLF, blank lines, no final line break), on input cut in 7-byte chunks", async () => {
    const labelled = stringify(
      penguins.filter((_, i) => i % 5 === 0),
      { record_delimiter: "windows" },
    );
    const unlabelled = [',"Tor, ""gersen""\r\nnorth",39.1,18.7,181,3750,MALE', ", Dream ,46.5,17.9,192,3500,FEMALE", ",Biscoe,50.0,15.2,218,5700,MALE"];
    const header = Object.keys(penguins[0]).join(",");
    const csv = `\uFEFF${header}\r\n${labelled}${unlabelled[0]}\r\n\r\n${unlabelled[1]}\r\n${unlabelled[2]}`;
    const { predictions, metrics } = await scored(csv, 7);
    expect(metrics).to.deep.include({ rows: 72, labelledRows: 69, predictedRows: 3, skippedRows: 0 });
    const classes = [...predictions!.matchAll(/,(Adelie|Chinstrap|Gentoo)\n/g)].map((m) => m[1]);
    expect(classes).to.have.length(3);
    expect(predictions!.replace(/,(Adelie|Chinstrap|Gentoo)\n/g, "\n")).to.equal(`${header},predicted_Species\n${unlabelled.join("\n")}\n`);
    expect(parse<Row>(predictions!, { columns: true, trim: true }).map((p) => p.Island)).to.deep.equal(['Tor, "gersen"\r\nnorth', "Dream", "Biscoe"]);
  });

  it("a CSV it cannot score gets 422 (no retry helps), a malformed request 400, an ignored event 204, a storage failure is thrown for a 500", async () => {
    const { store, written } = memoryStore({
      [`p-dev-input/wrong.csv#${GENERATION}`]: "a,b\n1,2\n",
      [`p-dev-input/empty.csv#${GENERATION}`]: "",
      [`p-dev-input/header.csv#${GENERATION}`]: "Species,x\n",
    });
    expect(await handlePush(finalize("wrong.csv"), CONFIG, store, quiet)).to.deep.equal({
      status: 422,
      body: { error: 'no label column "Species"; columns: a, b' },
    });
    expect(await handlePush(finalize("empty.csv"), CONFIG, store, quiet)).to.deep.equal({ status: 422, body: { error: "the CSV has no rows" } });
    expect(await handlePush(finalize("header.csv"), CONFIG, store, quiet)).to.deep.equal({ status: 422, body: { error: "the CSV has no rows" } });
    expect((await handlePush("not json", CONFIG, store, quiet)).status).to.equal(400);
    expect((await handlePush(finalize("photo.png"), CONFIG, store, quiet)).status).to.equal(204);
    let thrown = "";
    await handlePush(finalize("gone.csv"), CONFIG, store, quiet).catch((err: Error) => (thrown = err.message));
    expect(thrown).to.equal("No such object: p-dev-input/gone.csv");
    expect(written.size).to.equal(0);
  });

  it("a write that fails leaves no metrics.json (500): the redelivery scores again instead of taking it for done", async () => {
    const { store, written } = memoryStore({ [`p-dev-input/in.csv#${GENERATION}`]: csvOf(withHidden) });
    const failing: ObjectStore = { ...store, write: async () => Promise.reject(new Error("503 Service Unavailable")) };
    let thrown = "";
    await handlePush(finalize("in.csv"), CONFIG, failing, quiet).catch((err: Error) => (thrown = err.message));
    expect(thrown).to.equal("503 Service Unavailable");
    expect((await handlePush(finalize("in.csv"), CONFIG, store, quiet)).body).to.not.have.property("alreadyScored");
    expect([...written.keys()]).to.deep.equal([`${OUT}/predictions.csv`, `${OUT}/metrics.json`]);
  });

  it("serves HTTP: health check, push, 500 when storage fails (Pub/Sub redelivers)", async () => {
    const { store } = memoryStore({ [`p-dev-input/uploads/penguins.csv#${GENERATION}`]: csvOf(withHidden) });
    const server = createServer(CONFIG, store, quiet).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
      expect((await fetch(base, { method: "POST", body: finalize("uploads/penguins.csv") })).status).to.equal(200);
      expect((await fetch(base, { method: "POST", body: finalize("gone.csv") })).status).to.equal(500);
      expect((await fetch(base, { method: "POST", body: "{}" })).status).to.equal(400);
      expect((await fetch(`${base}/other`)).status).to.equal(404);
    } finally {
      server.close();
    }
  });

  describe("bad input", () => {
    const csv = csvOf(withHidden);

    it("every CSV parse error is a 422 (not retried as a 500), naming the cause, and writes nothing", async () => {
      const cases: [string, string][] = [
        ['Species,b\n"1,2\n', "the CSV cannot be parsed: Quote Not Closed"],
        ["Species,b\n1,2,3\n", "the CSV cannot be parsed: Invalid Record Length"],
        ['Species,b\n1"x,2\n', "the CSV cannot be parsed: Invalid Opening Quote"],
        [`Species,b\nA,"${"x".repeat(MAX_RECORD_BYTES + 1)}"\n`, "the CSV cannot be parsed: Max Record Size"],
      ];
      for (const [input, message] of cases) {
        const { answer, written } = await scored(input);
        expect(answer.status, input.slice(0, 20)).to.equal(422);
        expect((answer.body as { error: string }).error, input.slice(0, 20)).to.include(message);
        expect(written.size).to.equal(0);
      }
    });

    it("a duplicated header, or a column the predictions would add, is a 422 naming the column", async () => {
      expect((await scored("Species,x,x\nA,1,2\n")).answer).to.deep.equal({
        status: 422,
        body: { error: 'the header names the column "x" twice; give each column a distinct name' },
      });
      expect((await scored("Species,x,predicted_Species\nA,1,2\n")).answer).to.deep.equal({
        status: 422,
        body: { error: 'the CSV already has a column "predicted_Species", the one the predictions add; rename it' },
      });
    });

    it("a UTF-8 byte-order mark is dropped: the first column keeps its name", async () => {
      const { answer, written } = await scored(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]));
      expect(answer.status).to.equal(200);
      expect(written.size).to.equal(2);
    });

    it("an object over MAX_INPUT_BYTES is a 422 naming its size, the limit and the way out, refused from its size before a byte is read", async () => {
      const size = MAX_INPUT_BYTES + 1;
      let reads = 0;
      const store: ObjectStore = {
        size: async () => size,
        read: () => (reads++, Readable.from([])),
        exists: async () => false,
        write: async () => undefined,
      };
      expect(await handlePush(finalize("big.csv"), CONFIG, store, quiet)).to.deep.equal({
        status: 422,
        body: {
          error: `the object is ${size} bytes (1024.0 MiB), over the scorer's limit of ${MAX_INPUT_BYTES} bytes (1024.0 MiB), what it scores within Pub/Sub's 600 s push deadline; split it into CSVs of at most 1024.0 MiB, each with labelled rows of its own`,
        },
      });
      expect(reads).to.equal(0);
    });

    it("the local store refuses object names that leave its folder: 400, nothing read or written outside", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorer-"));
      const secret = path.join(path.dirname(dir), `outside-${path.basename(dir)}.csv`);
      fs.writeFileSync(secret, "Species,x\nA,1\n");
      const store = localStore(dir);
      for (const name of [`../${path.basename(secret)}`, `../../${path.basename(secret)}`, "/etc/x.csv"]) {
        const result = await handlePush(finalize(name), CONFIG, store, quiet);
        expect(result.status, name).to.equal(400);
        expect((result.body as { error: string }).error, name).to.include("leaves the local store's folder");
      }
      let thrown = "";
      await store.write("p-dev-output", "../../escape.csv", "text/csv", Readable.from(["x"])).catch((err: Error) => (thrown = err.message));
      expect(thrown).to.include("leaves the local store's folder");
      expect(fs.existsSync(path.join(path.dirname(dir), "escape.csv"))).to.equal(false);
      fs.rmSync(secret);
    });

    it("the local store's write is whole or nothing: a failing stream leaves the earlier object as it was and no part file", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorer-"));
      const store = localStore(dir);
      await store.write("out", "a/predictions.csv", "text/csv", Readable.from(["first\n"]));
      const failing = Readable.from(
        (async function* () {
          yield "second, half";
          throw new Error("the input broke off");
        })(),
      );
      let thrown = "";
      await store.write("out", "a/predictions.csv", "text/csv", failing).catch((err: Error) => (thrown = err.message));
      expect(thrown).to.equal("the input broke off");
      expect(fs.readdirSync(path.join(dir, "out", "a"))).to.deep.equal(["predictions.csv"]);
      expect(fs.readFileSync(path.join(dir, "out", "a", "predictions.csv"), "utf8")).to.equal("first\n");
      expect(await store.exists("out", "a/predictions.csv")).to.equal(true);
      expect(await store.size({ bucket: "out", name: "a/predictions.csv", generation: "1" })).to.equal(6);
    });

    it("a request body over MAX_REQUEST_BYTES gets 413 over HTTP, from its Content-Length before it is sent, or once a chunked one goes over; nothing is read from the store", async () => {
      let reads = 0;
      const { store } = memoryStore({});
      const counting: ObjectStore = { ...store, read: (o) => (reads++, store.read(o)) };
      const server = createServer(CONFIG, counting, quiet).listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        const error = `the request body is over ${MAX_REQUEST_BYTES} bytes; a push of a Cloud Storage notification is a few KiB`;
        // The headers alone: the answer comes before a byte of the body is sent.
        const declared = await postTo(port, { "content-length": String(MAX_REQUEST_BYTES + 1) }, () => undefined);
        expect(declared).to.deep.equal({ status: 413, body: { error } });
        const chunked = await postTo(port, {}, (req) => req.write("x".repeat(MAX_REQUEST_BYTES + 1)));
        expect(chunked).to.deep.equal({ status: 413, body: { error } });
        expect(reads).to.equal(0);
      } finally {
        server.close();
      }
    });
  });
});
