import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import * as fs from "fs";
import { AddressInfo } from "net";
import * as path from "path";
import { Row, score } from "../../images/scorer/src/model";
import { parsePush, resultNames } from "../../images/scorer/src/push";
import * as os from "os";
import { createServer, handlePush, localStore, MAX_INPUT_BYTES, MAX_REQUEST_BYTES, ObjectStore } from "../../images/scorer/src/server";
import { scorerMetrics } from "../helpers/image-output";

const penguins = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "node_modules", "vega-datasets", "data", "penguins.json"), "utf8")) as Record<string, unknown>[]
).map((r): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? "" : String(v as string | number)])));
/** Penguins with every tenth species removed: the rows to predict. */
const withHidden = penguins.map((r, i) => (i % 10 === 3 ? { ...r, Species: "" } : r));

function push(attributes: Record<string, string>): string {
  return JSON.stringify({ message: { attributes, data: Buffer.from("{}").toString("base64"), messageId: "1" }, subscription: "projects/p/subscriptions/s" });
}
const finalize = (objectId: string) =>
  push({ eventType: "OBJECT_FINALIZE", bucketId: "p-dev-input", objectId, objectGeneration: "1700000000000001", payloadFormat: "JSON_API_V1" });

function memoryStore(objects: Record<string, string>) {
  const written = new Map<string, string>();
  const store: ObjectStore = {
    read: async (o) => {
      const content = objects[`${o.bucket}/${o.name}#${o.generation}`];
      if (content === undefined) throw new Error(`No such object: ${o.bucket}/${o.name}`);
      return Buffer.from(content);
    },
    write: async (bucket, name, content) => void written.set(`${bucket}/${name}`, content),
  };
  return { store, written };
}

const CONFIG = { outputBucket: "p-dev-output", label: "Species" };
const quiet = () => undefined;

describe("images/scorer", () => {
  it("penguins: species from the four measurements, accuracy on held-out rows well above the majority class (44%)", () => {
    const { metrics } = score(penguins, "Species");
    expect(metrics).to.deep.include({
      label: "Species",
      classes: ["Adelie", "Chinstrap", "Gentoo"],
      rows: 344,
      trainRows: 273,
      testRows: 69,
      predictedRows: 0,
      skippedRows: 2,
    });
    expect(metrics.features).to.deep.equal(["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]);
    expect(metrics.accuracy).to.be.at.least(0.9);
  });

  it("a model fitted on shuffled labels misses the floor (the floor tells a right model from a wrong one)", () => {
    const shuffled = penguins.map((r, i) => ({ ...r, Species: penguins[(i * 7919) % penguins.length].Species }));
    expect(score(shuffled, "Species").metrics.accuracy).to.be.below(0.7);
  });

  it("predicts the rows without a label, and those predictions are right at least 90% of the time", () => {
    const { predictions, metrics } = score(withHidden, "Species");
    // Every tenth penguin lost its species; one of those lacks its measurements and cannot be predicted (nor can one labelled row).
    const hidden = penguins.filter((r, i) => i % 10 === 3 && r["Body Mass (g)"] !== "");
    expect(metrics).to.deep.include({ predictedRows: 34, skippedRows: 2 });
    expect(predictions.map((p) => p["Body Mass (g)"])).to.deep.equal(hidden.map((r) => r["Body Mass (g)"]));
    const right = predictions.filter((p, k) => p.predicted_Species === hidden[k].Species).length;
    expect(right / predictions.length).to.be.at.least(0.9);
  });

  it("reads the push request: a finalized CSV is scored; other events and objects are acknowledged and ignored", () => {
    expect(parsePush(finalize("uploads/penguins.csv"))).to.deep.equal({
      kind: "score",
      object: { bucket: "p-dev-input", name: "uploads/penguins.csv", generation: "1700000000000001" },
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

  it("scores a pushed CSV: writes predictions and metrics named by object and generation, 200; a redelivery rewrites the same objects", async () => {
    const { store, written } = memoryStore({ "p-dev-input/uploads/penguins.csv#1700000000000001": stringify(withHidden, { header: true }) });
    const first = await handlePush(finalize("uploads/penguins.csv"), CONFIG, store, quiet);
    expect(first.status).to.equal(200);
    expect([...written.keys()]).to.deep.equal([
      "p-dev-output/uploads/penguins/1700000000000001/predictions.csv",
      "p-dev-output/uploads/penguins/1700000000000001/metrics.json",
    ]);
    const predictions = parse<Row>(written.get("p-dev-output/uploads/penguins/1700000000000001/predictions.csv")!, { columns: true });
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
    const metrics = scorerMetrics(written.get("p-dev-output/uploads/penguins/1700000000000001/metrics.json")!);
    expect(metrics).to.deep.include({ source: "gs://p-dev-input/uploads/penguins.csv#1700000000000001", label: "Species", predictedRows: 34 });
    const before = new Map(written);
    await handlePush(finalize("uploads/penguins.csv"), CONFIG, store, quiet);
    expect(written).to.deep.equal(before);
  });

  it("a CSV it cannot score gets 422 (no retry helps), a malformed request 400, an ignored event 204, a storage failure is thrown for a 500", async () => {
    const { store, written } = memoryStore({
      "p-dev-input/wrong.csv#1700000000000001": "a,b\n1,2\n",
      "p-dev-input/empty.csv#1700000000000001": "",
    });
    expect(await handlePush(finalize("wrong.csv"), CONFIG, store, quiet)).to.deep.equal({
      status: 422,
      body: { error: 'no label column "Species"; columns: a, b' },
    });
    expect(await handlePush(finalize("empty.csv"), CONFIG, store, quiet)).to.deep.equal({ status: 422, body: { error: "the CSV has no rows" } });
    expect((await handlePush("not json", CONFIG, store, quiet)).status).to.equal(400);
    expect((await handlePush(finalize("photo.png"), CONFIG, store, quiet)).status).to.equal(204);
    let thrown = "";
    await handlePush(finalize("gone.csv"), CONFIG, store, quiet).catch((err: Error) => (thrown = err.message));
    expect(thrown).to.equal("No such object: p-dev-input/gone.csv");
    expect(written.size).to.equal(0);
  });

  it("serves HTTP: health check, push, 500 when storage fails (Pub/Sub redelivers)", async () => {
    const { store } = memoryStore({ "p-dev-input/uploads/penguins.csv#1700000000000001": stringify(withHidden, { header: true }) });
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
    const answer = async (csv: string | Buffer, name = "in.csv") => {
      const { store, written } = memoryStore({ [`p-dev-input/${name}#1700000000000001`]: csv.toString() });
      const result = await handlePush(finalize(name), CONFIG, store, quiet);
      return { ...result, written: written.size };
    };
    const csv = stringify(withHidden, { header: true });

    it("every CSV parse error is a 422 (not retried as a 500), naming the cause, and writes nothing", async () => {
      const cases: [string, string][] = [
        ['a,b\n"1,2\n', "the CSV cannot be parsed: Quote Not Closed"],
        ["a,b\n1,2,3\n", "the CSV cannot be parsed: Invalid Record Length"],
        ['a,b\n1"x,2\n', "the CSV cannot be parsed: Invalid Opening Quote"],
      ];
      for (const [input, message] of cases) {
        const result = await answer(input);
        expect(result.status, input).to.equal(422);
        expect((result.body as { error: string }).error, input).to.include(message);
        expect(result.written).to.equal(0);
      }
    });

    it("a duplicated header is a 422 naming the column", async () => {
      expect(await answer("Species,x,x\nA,1,2\n")).to.deep.equal({
        status: 422,
        body: { error: 'the header names the column "x" twice; give each column a distinct name' },
        written: 0,
      });
    });

    it("a UTF-8 byte-order mark is dropped: the first column keeps its name", async () => {
      const result = await answer(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]));
      expect(result.status).to.equal(200);
      expect(result.written).to.equal(2);
    });

    it("an object over MAX_INPUT_BYTES is a 422 saying to split it; the local store refuses it before reading", async () => {
      const big = "Species,x\n" + "A,1\n".repeat(Math.ceil(MAX_INPUT_BYTES / 4) + 1);
      const result = await answer(big);
      expect(result.status).to.equal(422);
      expect((result.body as { error: string }).error).to.equal(
        `the object is ${big.length} bytes, over the scorer's limit of ${MAX_INPUT_BYTES}; split it into smaller CSVs`,
      );
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scorer-"));
      fs.mkdirSync(path.join(dir, "p-dev-input"));
      fs.writeFileSync(path.join(dir, "p-dev-input", "big.csv"), big);
      let thrown = "";
      await localStore(dir)
        .read({ bucket: "p-dev-input", name: "big.csv", generation: "1" }, MAX_INPUT_BYTES)
        .catch((err: Error) => (thrown = err.message));
      expect(thrown).to.match(/over the scorer's limit/);
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
      await store.write("p-dev-output", "../../escape.csv", "x", "text/csv").catch((err: Error) => (thrown = err.message));
      expect(thrown).to.include("leaves the local store's folder");
      expect(fs.existsSync(path.join(path.dirname(dir), "escape.csv"))).to.equal(false);
      fs.rmSync(secret);
    });

    it("a request body over MAX_REQUEST_BYTES gets 413 over HTTP, and nothing is read from the store", async () => {
      let reads = 0;
      const store: ObjectStore = { read: async () => (reads++, Buffer.from(csv)), write: async () => undefined };
      const server = createServer(CONFIG, store, quiet).listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      try {
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { method: "POST", body: "x".repeat(MAX_REQUEST_BYTES + 1) });
        expect(response.status).to.equal(413);
        expect(((await response.json()) as { error: string }).error).to.equal(
          `the request body is over ${MAX_REQUEST_BYTES} bytes; a push of a Cloud Storage notification is a few KiB`,
        );
        expect(reads).to.equal(0);
      } finally {
        server.close();
      }
    });
  });
});
