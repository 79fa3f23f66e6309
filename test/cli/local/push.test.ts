import { Message, PubSub } from "@google-cloud/pubsub";
import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { awaitAnswer } from "../../../cli/src/stream/correlate";
import { pubsubBus } from "../../../cli/src/stream/stream";
import { createServer as scorerServer } from "../../../images/scorer/src/server";
import { localStore, ObjectStore } from "../../../images/scorer/src/store";
import { loadFlights, train } from "../../../images/stream/src/model";
import { createServer as streamServer, dataFile, pubsubPublisher } from "../../../images/stream/src/server";
import { finalizeMessage } from "../../../cli/src/local/notification";
import { PlannedNotification } from "../../../cli/src/local/plan";
import { useEmulator } from "../../helpers/emulator";
import { scorerMetrics } from "../../helpers/image-output";

const SAMPLE = path.join(__dirname, "..", "..", "..", "images", "scorer", "sample", "penguins.csv");
const quiet = () => undefined;
const NOTIFICATION: PlannedNotification = {
  bucket: "in",
  topic: "projects/local-test/topics/uploads",
  payloadFormat: "JSON_API_V1",
  eventTypes: ["OBJECT_FINALIZE"],
};

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** A unique suffix per test, so tests sharing one emulator never see each other's topics. */
let n = 0;
const unique = (name: string) => `${name}-${process.pid}-${++n}`;

describe("push paths on the real Pub/Sub emulator", function () {
  const host = useEmulator();
  let pubsub: PubSub;
  const servers: http.Server[] = [];
  before(function () {
    pubsub = new PubSub({ projectId: "local-test", apiEndpoint: host(), emulatorMode: true });
  });
  after(async () => {
    for (const s of servers) s.close();
    await pubsub?.close();
  });

  it("scorer: a GCS OBJECT_FINALIZE notification pushed by the emulator is scored into the output bucket, and the push is acknowledged", async function () {
    this.timeout(120_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "push-scorer-"));
    fs.mkdirSync(path.join(dir, "in"));
    fs.copyFileSync(SAMPLE, path.join(dir, "in", "penguins.csv"));
    const written: string[] = [];
    const store = localStore(dir);
    let done!: () => void;
    const metrics = new Promise<void>((resolve) => (done = resolve));
    const watched: ObjectStore = {
      ...store,
      async write(bucket, name, type, content) {
        await store.write(bucket, name, type, content);
        written.push(`${bucket}/${name}`);
        if (name.endsWith("metrics.json")) done();
      },
    };
    const server = scorerServer({ outputBucket: "out", label: "Species" }, watched, quiet);
    servers.push(server);
    const endpoint = await listen(server);
    const [topic] = await pubsub.createTopic(unique("uploads"));
    const [subscription] = await topic.createSubscription(unique("push"), { ackDeadlineSeconds: 60, pushConfig: { pushEndpoint: endpoint } });
    const object = { bucket: "in", name: "penguins.csv", content: fs.readFileSync(SAMPLE), updated: new Date("2026-01-02T03:04:05.678Z") };
    await topic.publishMessage(finalizeMessage({ ...NOTIFICATION, topic: topic.name }, object));
    await metrics;
    expect(written).to.deep.equal(["out/penguins/1767323045678000/predictions.csv", "out/penguins/1767323045678000/metrics.json"]);
    const result = scorerMetrics(fs.readFileSync(path.join(dir, "out", "penguins", "1767323045678000", "metrics.json"), "utf8"));
    expect(result.source).to.equal("gs://in/penguins.csv#1767323045678000");
    expect(result.accuracy).to.be.above(0.9);
    await subscription.delete();
  });

  it("scorer: a CSV it cannot score (422) goes to the dead-letter topic after exactly maxDeliveryAttempts pushes", async function () {
    this.timeout(300_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "push-scorer-bad-"));
    fs.mkdirSync(path.join(dir, "in"));
    fs.writeFileSync(path.join(dir, "in", "bad.csv"), "a,b\n1,2\n");
    let pushes = 0;
    const server = scorerServer({ outputBucket: "out", label: "Species" }, localStore(dir), quiet);
    server.on("request", () => pushes++);
    servers.push(server);
    const endpoint = await listen(server);
    const [topic] = await pubsub.createTopic(unique("uploads"));
    const [deadLetter] = await pubsub.createTopic(unique("dead-letter"));
    const [kept] = await deadLetter.createSubscription(unique("dead-letter"));
    const [subscription] = await topic.createSubscription(unique("push"), {
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 1 } },
      deadLetterPolicy: { deadLetterTopic: deadLetter.name, maxDeliveryAttempts: 5 },
      pushConfig: { pushEndpoint: endpoint },
    });
    await topic.publishMessage(
      finalizeMessage({ ...NOTIFICATION, topic: topic.name }, { bucket: "in", name: "bad.csv", content: Buffer.from("a,b\n1,2\n"), updated: new Date() }),
    );
    const dead = await new Promise<{ attributes: Record<string, string> }>((resolve) =>
      kept.once("message", (m: Message) => {
        m.ack();
        resolve(m);
      }),
    );
    await kept.close();
    expect(dead.attributes).to.include({ objectId: "bad.csv", eventType: "OBJECT_FINALIZE", CloudPubSubDeadLetterSourceDeliveryCount: "5" });
    expect(pushes).to.equal(5);
    expect(fs.existsSync(path.join(dir, "out"))).to.equal(false);
    await subscription.delete();
  });

  it("stream: a pushed request is answered on the result topic with its correlationId, and a client pulls exactly that answer", async function () {
    this.timeout(120_000);
    const model = train(loadFlights(dataFile({})));
    const [requests] = await pubsub.createTopic(unique("requests"));
    const [results] = await pubsub.createTopic(unique("results"));
    const [resultSub] = await results.createSubscription(unique("results-backend"), { ackDeadlineSeconds: 30 });
    const server = streamServer({ resultTopic: results.name, publishDeadlineMs: 15_000 }, model, pubsubPublisher(pubsub), quiet);
    servers.push(server);
    const [push] = await requests.createSubscription(unique("push"), { ackDeadlineSeconds: 60, pushConfig: { pushEndpoint: await listen(server) } });
    const bus = pubsubBus(pubsub);
    const trip = { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30" };
    await bus.publish(requests.name, Buffer.from(JSON.stringify(trip)), { correlationId: "c-push-1" });
    const outcome = await awaitAnswer(bus, resultSub.name, "c-push-1", { timeoutMs: 60_000 });
    expect(outcome.kind).to.equal("answer");
    expect(outcome.kind === "answer" && outcome.answer).to.deep.equal({
      correlationId: "c-push-1",
      predictedDelayMinutes: 0.1,
      model: { trainedRows: 8000, maeMinutes: 19.61 },
    });
    await push.delete();
  });
});
