import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { penguinRows, writePenguinsCsv } from "../../../bench/scorer.bench";
import { main as stream } from "../../../cli/src/commands/stream";
import { LocalPlan, readLocalPlan } from "../../../cli/src/local/plan";
import { LocalPipeline, up } from "../../../cli/src/local/up";
import { useEmulator } from "../../helpers/emulator";
import { scorerMetrics } from "../../helpers/image-output";

const SAMPLE = path.join(__dirname, "..", "..", "..", "images", "scorer", "sample", "penguins.csv");

/** Collects the output of a client run. */
function capture() {
  let out = "";
  let err = "";
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, text: () => ({ out, err }) };
}

describe("npm run local -- up, on the real Pub/Sub emulator, from the dev stack's plan", function () {
  useEmulator();
  let plan: LocalPlan;
  const lines: string[] = [];
  before(async function () {
    this.timeout(120_000);
    plan = await readLocalPlan("dev");
  });

  describe("up scoring", () => {
    let local: LocalPipeline;
    before(async function () {
      this.timeout(120_000);
      // The plan's backoff (10 s to 600 s) would take the 10 attempts most of an hour; the attempts stay the plan's.
      local = await up("scoring", { plan, dir: fs.mkdtempSync(path.join(os.tmpdir(), "up-scoring-")), retryBackoff: "1s", log: (l) => lines.push(l) });
    });
    after(async function () {
      this.timeout(60_000);
      await local?.stop();
    });

    it("creates the plan's subscriptions with its settings, the push endpoint on the local scorer", async () => {
      const [push] = await local.pubsub.subscription("dev-scoring-push").getMetadata();
      const scorer = local.services.get("dev-scorer");
      expect(scorer).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(push.pushConfig?.pushEndpoint).to.equal(`${scorer}/`);
      expect(push.ackDeadlineSeconds).to.equal(600);
      expect(push.deadLetterPolicy).to.deep.include({
        deadLetterTopic: "projects/my-pipelines-dev/topics/dev-scoring-push-dead-letter",
        maxDeliveryAttempts: 10,
      });
      expect(Number(push.messageRetentionDuration?.seconds)).to.equal(604_800);
      expect(push.topic).to.equal("projects/my-pipelines-dev/topics/dev-scoring-uploads");
      expect(local.applied.subscriptions.map((s) => s.name).sort()).to.deep.equal([
        "dev-scoring-push",
        "dev-scoring-push-dead-letter",
        "dev-stream-push-dead-letter",
        "dev-stream-results-backend",
      ]);
      expect(local.applied.skipped).to.deep.equal(["dev-stream-push"]);
      expect([...local.applied.topics].sort()).to.deep.equal(
        ["dev-scoring-push-dead-letter", "dev-scoring-uploads", "dev-stream-push-dead-letter", "dev-stream-requests", "dev-stream-results"].map(
          (t) => `projects/my-pipelines-dev/topics/${t}`,
        ),
      );
      const [topics] = await local.pubsub.getTopics();
      expect(topics.map((t) => t.name)).to.include.members([...local.applied.topics]);
    });

    it("a CSV written to the input folder is notified, pushed and scored into the output folder", async function () {
      this.timeout(120_000);
      const published = new Promise<void>((resolve) => local.published!((name) => name === "penguins.csv" && resolve()));
      // Written beside, then renamed in: the watcher sees a whole file.
      const tmp = path.join(path.dirname(local.folders!.input), "penguins.csv.part");
      fs.copyFileSync(SAMPLE, tmp);
      fs.renameSync(tmp, path.join(local.folders!.input, "penguins.csv"));
      await published;
      const generation = String(fs.statSync(path.join(local.folders!.input, "penguins.csv")).mtime.getTime() * 1000);
      const metrics = path.join(local.folders!.output, "penguins", generation, "metrics.json");
      await until(() => fs.existsSync(metrics) && fs.readFileSync(metrics, "utf8").endsWith("\n"));
      const result = scorerMetrics(fs.readFileSync(metrics, "utf8"));
      expect(result.source).to.equal(`gs://my-pipelines-dev-dev-scoring-input/penguins.csv#${generation}`);
      expect(fs.existsSync(path.join(local.folders!.output, "penguins", generation, "predictions.csv"))).to.equal(true);
    });

    it("a CSV larger than the scorer's old 10 MiB limit is scored whole: 200, every unlabelled row with its measurements predicted", async function () {
      this.timeout(300_000);
      const published = new Promise<void>((resolve) => local.published!((name) => name === "large.csv" && resolve()));
      const tmp = path.join(path.dirname(local.folders!.input), "large.csv.part");
      const rows = writePenguinsCsv(tmp, 12 * 1024 * 1024);
      fs.renameSync(tmp, path.join(local.folders!.input, "large.csv"));
      await published;
      const generation = String(fs.statSync(path.join(local.folders!.input, "large.csv")).mtime.getTime() * 1000);
      const metrics = path.join(local.folders!.output, "large", generation, "metrics.json");
      await until(() => fs.existsSync(metrics));
      // Row i is penguin i % 344, its species kept for the first 344 only; 2 penguins lack their measurements.
      const penguins = penguinRows();
      const measured = (i: number) => penguins[i % penguins.length]["Body Mass (g)"] !== "";
      const predicted = Array.from({ length: rows - penguins.length }, (_, k) => k + penguins.length).filter(measured).length;
      expect(scorerMetrics(fs.readFileSync(metrics, "utf8"))).to.deep.include({
        rows,
        labelledRows: 342,
        predictedRows: predicted,
        skippedRows: rows - 342 - predicted,
      });
      const predictions = fs.readFileSync(path.join(local.folders!.output, "large", generation, "predictions.csv"), "utf8").split("\n");
      expect(predictions).to.have.length(predicted + 2); // the header, the rows, and the empty string after the last line break
      expect(predictions[0]).to.equal("Species,Island,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),Sex,predicted_Species");
      // The scorer logs this line just before it answers 200, which acknowledges the push.
      expect(lines.filter((l) => l.includes(`"scored gs://my-pipelines-dev-dev-scoring-input/large.csv#${generation}:`))).to.have.length(1);
    });

    it("a CSV that cannot be scored ends in the dead-letter subscription after the plan's 10 attempts", async function () {
      this.timeout(300_000);
      fs.writeFileSync(path.join(path.dirname(local.folders!.input), "bad.part"), "a,b\n1,2\n");
      fs.renameSync(path.join(path.dirname(local.folders!.input), "bad.part"), path.join(local.folders!.input, "bad.csv"));
      const deadLetter = local.pubsub.subscription("dev-scoring-push-dead-letter");
      const dead = await new Promise<{ attributes: Record<string, string> }>((resolve) =>
        deadLetter.on("message", (m) => {
          if (m.attributes.objectId !== "bad.csv") return m.nack();
          m.ack();
          resolve(m);
        }),
      );
      await deadLetter.close();
      expect(dead.attributes).to.include({
        eventType: "OBJECT_FINALIZE",
        bucketId: "my-pipelines-dev-dev-scoring-input",
        payloadFormat: "JSON_API_V1",
        CloudPubSubDeadLetterSourceDeliveryCount: "10",
      });
    });
  });

  describe("up streaming", () => {
    let local: LocalPipeline;
    before(async function () {
      this.timeout(120_000);
      local = await up("streaming", { plan, dir: fs.mkdtempSync(path.join(os.tmpdir(), "up-streaming-")), log: (l) => lines.push(l) });
    });
    after(async function () {
      this.timeout(60_000);
      await local?.stop();
    });

    it("npm run stream -- send --wait, unchanged, gets its answer; two concurrent clients each get exactly their own", async function () {
      this.timeout(180_000);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "requests-"));
      const morning = path.join(dir, "morning.json");
      const evening = path.join(dir, "evening.json");
      fs.writeFileSync(morning, JSON.stringify({ origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30" }));
      fs.writeFileSync(evening, JSON.stringify({ origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-05T18:00" }));
      const a = capture();
      const b = capture();
      const args = (file: string) => ["send", "--file", file, "--wait", "--timeout", "120", "--outputs", local.outputsFile];
      const codes = await Promise.all([
        stream(args(morning), { ...a.io, newId: () => "client-a" }),
        stream(args(evening), { ...b.io, newId: () => "client-b" }),
      ]);
      expect(codes).to.deep.equal([0, 0]);
      expect(JSON.parse(a.text().out)).to.deep.equal({
        correlationId: "client-a",
        predictedDelayMinutes: 0.1,
        model: { trainedRows: 8000, maeMinutes: 19.61 },
      });
      expect(JSON.parse(b.text().out)).to.deep.equal({
        correlationId: "client-b",
        predictedDelayMinutes: 14.4,
        model: { trainedRows: 8000, maeMinutes: 19.61 },
      });
    });
  });
});

/** Waits for a condition on the files the scorer writes (each appears whole: see ObjectStore.write), checking every 100 ms; the test's timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 100));
}
