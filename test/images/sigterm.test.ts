import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import { buffer } from "stream/consumers";
import { handlePush as scorerPush } from "../../images/scorer/src/server";
import { ObjectStore } from "../../images/scorer/src/store";
import { dataFile, handlePush as streamPush, Publisher } from "../../images/stream/src/server";
import { loadFlights, train } from "../../images/stream/src/model";
import { RUN_TS } from "../../tools/run-ts";
import { CHILD_TEST_TIMEOUT_MS, ChildLine, RunningChild, startNode } from "../helpers/child";
import { FakeGcs } from "../helpers/fake-gcs";
import { FakePublisher } from "../helpers/fake-publisher";

// Each image as a real process, stopped by a real signal while it has work in flight, held by a fake Google API
// (Cloud Storage, Pub/Sub) that answers only when the test lets it: nothing waits on time.

const ROOT = path.join(__dirname, "..", "..");
/** Cloud Run's env for a process on this machine: no metadata server to probe (local/process.ts NO_METADATA_SERVER). */
const BASE_ENV = { PATH: process.env.PATH, METADATA_SERVER_DETECTION: "none", PORT: "0" };
const quiet = () => undefined;

const message = (line: ChildLine) => (typeof line.json?.message === "string" ? line.json.message : "");
const said = (text: string) => (line: ChildLine) => message(line) === text;

/** The port a service says it listens on (`<image> listening on port <n>`). */
async function portOf(child: RunningChild): Promise<number> {
  const line = await child.waitFor((l) => / listening on port \d+$/.test(message(l)));
  return Number(/(\d+)$/.exec(message(line))?.[1]);
}

/** POSTs `body` to the service and resolves with its answer, whenever that comes. */
async function post(port: number, body: string): Promise<{ status: number; connection: string | null; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body, headers: { "content-type": "application/json" } });
  return { status: response.status, connection: response.headers.get("connection"), body: await response.json() };
}

/** What a new TCP connection to the port meets: `ECONNREFUSED`, or `connected`. */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** The last line the process wrote, as JSON. */
const lastLine = (child: RunningChild) => child.lines.filter((l) => l.json).at(-1)?.json;

describe("images stop on SIGTERM as Cloud Run sends it (real processes)", function () {
  this.timeout(CHILD_TEST_TIMEOUT_MS);

  describe("scorer", () => {
    const gcs = new FakeGcs();
    before(() => gcs.start());
    after(() => gcs.stop());

    const csv = fs.readFileSync(path.join(ROOT, "images", "scorer", "sample", "penguins.csv"));
    const start = () =>
      startNode([...RUN_TS, "images/scorer/src/server.ts"], {
        cwd: ROOT,
        env: { ...BASE_ENV, OUTPUT_BUCKET: "p-dev-output", LABEL_COLUMN: "Species", STORAGE_EMULATOR_HOST: gcs.url },
      });

    it("finishes the push in flight with its normal answer, refuses a new connection, leaves both results whole, logs its stop last and exits 143", async () => {
      gcs.put("p-dev-input", "in/penguins.csv", csv, "text/csv");
      const { generation } = gcs.objects.get("p-dev-input/in/penguins.csv")!;
      const pushed = JSON.stringify({
        message: {
          attributes: { eventType: "OBJECT_FINALIZE", bucketId: "p-dev-input", objectId: "in/penguins.csv", objectGeneration: generation },
          data: "e30=",
          messageId: "1",
        },
        subscription: "projects/p-dev/subscriptions/scorer",
      });
      // What the same push gets and writes in process: the answer the stopped process must still give.
      const written = new Map<string, string>();
      const memory: ObjectStore = {
        size: async () => Buffer.byteLength(csv),
        read: () => Readable.from([csv]),
        exists: async (bucket, name) => written.has(`${bucket}/${name}`),
        write: async (bucket, name, _contentType, content) => void written.set(`${bucket}/${name}`, (await buffer(content)).toString("utf8")),
      };
      const expected = await scorerPush(pushed, { outputBucket: "p-dev-output", label: "Species" }, memory, quiet);

      // The input object's metadata read (its size, checked before anything is read) is held: the push is in flight.
      const read = gcs.hold((r) => r.method === "GET" && r.path === "/b/p-dev-input/o/in%2Fpenguins.csv" && !r.query.has("alt"));
      const scorer = start();
      const port = await portOf(scorer);
      const answer = post(port, pushed);
      await read.reached;
      scorer.kill("SIGTERM");
      await scorer.waitFor(said("SIGTERM: stopping; in flight: 1 request (at most 8 s)"));
      expect(await connect(port)).to.equal("ECONNREFUSED");
      expect(gcs.names("p-dev-output")).to.deep.equal([]);
      read.release();

      expect(await answer).to.deep.equal({ status: 200, connection: "close", body: JSON.parse(JSON.stringify(expected.body)) as unknown });
      expect(await scorer.ended).to.deep.equal({ code: 143, signal: null });
      expect(lastLine(scorer)).to.deep.include({
        severity: "NOTICE",
        message: "SIGTERM: stopped: 1 request in flight finished, the server is closed; exit 143",
      });
      const prefix = `in/penguins/${generation}`;
      expect(gcs.names("p-dev-output")).to.deep.equal([`${prefix}/metrics.json`, `${prefix}/predictions.csv`]);
      expect(gcs.objects.get(`p-dev-output/${prefix}/predictions.csv`)?.content.toString("utf8")).to.equal(
        written.get(`p-dev-output/${prefix}/predictions.csv`),
      );
      expect(gcs.objects.get(`p-dev-output/${prefix}/metrics.json`)?.content.toString("utf8")).to.equal(written.get(`p-dev-output/${prefix}/metrics.json`));
    });

    it("idle, exits 130 on SIGINT (Ctrl-C) with its stop as the last line", async () => {
      const scorer = start();
      const port = await portOf(scorer);
      scorer.kill("SIGINT");
      expect(await scorer.ended).to.deep.equal({ code: 130, signal: null });
      expect(await connect(port)).to.equal("ECONNREFUSED");
      expect(
        scorer.lines
          .filter((l) => l.json)
          .map(message)
          .slice(-2),
      ).to.deep.equal([
        "SIGINT: stopping; in flight: 0 requests (at most 8 s)",
        "SIGINT: stopped: 0 requests in flight finished, the server is closed; exit 130",
      ]);
    });
  });

  describe("stream", () => {
    const pubsub = new FakePublisher();
    before(() => pubsub.start());
    after(() => pubsub.stop());

    it("finishes the push in flight, publishing its one answer, refuses a new connection, logs its stop last and exits 143", async () => {
      const pushed = fs.readFileSync(path.join(ROOT, "images", "stream", "sample", "push.json"), "utf8");
      const config = { resultTopic: "projects/p-dev/topics/stream-results", publishDeadlineMs: 30_000 };
      const sent: { data: string; attributes: Record<string, string> }[] = [];
      const memory: Publisher = { publish: async (_topic, data, attributes) => (sent.push({ data: data.toString("utf8"), attributes }), "1") };
      const expected = await streamPush(pushed, config, train(loadFlights(dataFile({}))), memory, quiet);

      const publish = pubsub.hold();
      const stream = startNode([...RUN_TS, "images/stream/src/server.ts"], {
        cwd: ROOT,
        env: { ...BASE_ENV, RESULT_TOPIC: config.resultTopic, PUBSUB_EMULATOR_HOST: pubsub.host },
      });
      const port = await portOf(stream);
      const answer = post(port, pushed);
      await publish.reached;
      stream.kill("SIGTERM");
      await stream.waitFor(said("SIGTERM: stopping; in flight: 1 request (at most 8 s)"));
      expect(await connect(port)).to.equal("ECONNREFUSED");
      publish.release();

      expect(await answer).to.deep.equal({ status: 200, connection: "close", body: expected.body });
      expect(await stream.ended).to.deep.equal({ code: 143, signal: null });
      expect(lastLine(stream)).to.deep.include({
        severity: "NOTICE",
        message: "SIGTERM: stopped: 1 request in flight finished, the server is closed; exit 143",
      });
      expect(pubsub.published.map((m) => ({ topic: m.topic, data: m.data.toString("utf8"), attributes: m.attributes }))).to.deep.equal(
        sent.map((m) => ({ topic: config.resultTopic, ...m })),
      );
    });
  });

  describe("etl extract", () => {
    const gcs = new FakeGcs();
    before(() => gcs.start());
    after(() => gcs.stop());

    it("stops at the safe point after the day it is writing: that day whole, the days not reached as an earlier run left them, exit 143", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sigterm-etl-"));
      const source = path.join(dir, "weather.csv");
      fs.writeFileSync(source, "date,temp\n2012-01-01,1\n2012-01-01,2\n2012-01-02,3\n2012-01-03,4\n");
      gcs.put("p-dev-raw", "weather/date=2012-01-03/part-0.parquet", "an earlier run's object");
      // The first upload's data request (a resumable upload's PUT) is held: the task is writing 2012-01-01.
      const upload = gcs.hold((r) => r.method === "PUT" && r.path === "/upload/b/p-dev-raw/o");
      const etl = startNode([...RUN_TS, "images/etl/src/main.ts", "extract", "--source", source, "--dataset", "weather", "--dest", "gs://p-dev-raw/"], {
        cwd: ROOT,
        env: { ...BASE_ENV, STORAGE_EMULATOR_HOST: gcs.url, CLOUD_RUN_JOB: "extract" },
      });
      await upload.reached;
      etl.kill("SIGTERM");
      await etl.waitFor(said("SIGTERM: stopping; in flight: the extract job (at most 8 s)"));
      upload.release();

      expect(await etl.ended).to.deep.equal({ code: 143, signal: null });
      expect(
        etl.lines
          .filter((l) => l.json)
          .map(message)
          .slice(-2),
      ).to.deep.equal([
        "extract: stopped by SIGTERM at a safe point: wrote 1 of 3 days (2012-01-01) to gs://p-dev-raw/weather/; the days not reached keep what an earlier run wrote; re-run with the same parameters to finish",
        "SIGTERM: stopped: the extract job stopped at a safe point; exit 143",
      ]);
      expect(gcs.names("p-dev-raw")).to.deep.equal(["weather/date=2012-01-01/part-0.parquet", "weather/date=2012-01-03/part-0.parquet"]);
      expect(gcs.objects.get("p-dev-raw/weather/date=2012-01-03/part-0.parquet")?.content.toString("utf8")).to.equal("an earlier run's object");
      const written = path.join(dir, "written.parquet");
      fs.writeFileSync(written, gcs.objects.get("p-dev-raw/weather/date=2012-01-01/part-0.parquet")!.content);
      const db = await DuckDBInstance.create(":memory:");
      const connection = await db.connect();
      const rows = (
        await connection.runAndReadAll(`SELECT CAST(date AS VARCHAR) AS date, temp FROM read_parquet('${written}') ORDER BY temp`)
      ).getRowObjectsJson();
      connection.closeSync();
      db.closeSync();
      expect(rows).to.deep.equal([
        { date: "2012-01-01", temp: "1" },
        { date: "2012-01-01", temp: "2" },
      ]);
    });
  });
});
