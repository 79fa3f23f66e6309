import { expect } from "chai";
import { createHash } from "crypto";
import * as path from "path";
import { portableSql } from "../../../images/etl/local/duckdb-warehouse";
import * as net from "net";
import { emulatorMissing, freePort, INSTALL_HINT, startEmulator } from "../../../cli/src/local/emulator";
import { localPath } from "../../../images/etl/local/folder-storage";
import { finalizeMessage, notifies } from "../../../cli/src/local/notification";
import { PlannedNotification } from "../../../cli/src/local/plan";
import { imageName, localCommand, localEnv, readableLine } from "../../../cli/src/local/process";
import { localEndpoint, subscriptionOptions } from "../../../cli/src/local/pubsub";
import { readSettings } from "../../../cli/src/project/settings";

const ROOT = path.resolve(__dirname, "..", "..", "..");

const CONFIG: PlannedNotification = { bucket: "in", topic: "projects/p/topics/uploads", payloadFormat: "JSON_API_V1", eventTypes: ["OBJECT_FINALIZE"] };
const OBJECT = { bucket: "in", name: "batch 1/penguins.csv", content: Buffer.from("a,b\n1,2\n"), updated: new Date("2026-01-02T03:04:05.678Z") };

describe("local: the pieces", () => {
  it("finalizeMessage: GCS's OBJECT_FINALIZE attributes and the JSON_API_V1 object resource", () => {
    const message = finalizeMessage(CONFIG, OBJECT);
    expect(message.attributes).to.deep.equal({
      notificationConfig: "projects/_/buckets/in/notificationConfigs/local",
      eventType: "OBJECT_FINALIZE",
      payloadFormat: "JSON_API_V1",
      bucketId: "in",
      objectId: "batch 1/penguins.csv",
      objectGeneration: "1767323045678000",
      eventTime: "2026-01-02T03:04:05.678Z",
    });
    const resource = JSON.parse(message.data.toString("utf8")) as unknown;
    expect(resource).to.deep.include({
      kind: "storage#object",
      id: "in/batch 1/penguins.csv/1767323045678000",
      selfLink: "https://www.googleapis.com/storage/v1/b/in/o/batch%201%2Fpenguins.csv",
      name: "batch 1/penguins.csv",
      bucket: "in",
      generation: "1767323045678000",
      metageneration: "1",
      contentType: "text/csv",
      size: "8",
      md5Hash: createHash("md5").update(OBJECT.content).digest("base64"),
      timeCreated: "2026-01-02T03:04:05.678Z",
    });
    expect(finalizeMessage({ ...CONFIG, payloadFormat: "NONE" }, OBJECT).data).to.have.length(0);
  });

  it("notifies: the configuration's bucket, event types (none means all) and object name prefix", () => {
    expect(notifies(CONFIG, "OBJECT_FINALIZE", OBJECT)).to.equal(true);
    expect(notifies(CONFIG, "OBJECT_DELETE", OBJECT)).to.equal(false);
    expect(notifies({ ...CONFIG, eventTypes: [] }, "OBJECT_DELETE", OBJECT)).to.equal(true);
    expect(notifies({ ...CONFIG, objectNamePrefix: "incoming/" }, "OBJECT_FINALIZE", OBJECT)).to.equal(false);
    expect(notifies({ ...CONFIG, objectNamePrefix: "batch 1/" }, "OBJECT_FINALIZE", OBJECT)).to.equal(true);
    expect(notifies(CONFIG, "OBJECT_FINALIZE", { ...OBJECT, bucket: "other" })).to.equal(false);
  });

  it("a push endpoint of the plan points at the local service with the same path; another service's is left out", () => {
    const endpoints = new Map([["https://dev-scorer-1.europe-west1.run.app", "http://127.0.0.1:4000"]]);
    expect(localEndpoint("https://dev-scorer-1.europe-west1.run.app/", endpoints)).to.equal("http://127.0.0.1:4000/");
    expect(localEndpoint("https://dev-scorer-1.europe-west1.run.app/push", endpoints)).to.equal("http://127.0.0.1:4000/push");
    expect(localEndpoint("https://dev-scorer-10.europe-west1.run.app/", endpoints)).to.equal(undefined);
    expect(localEndpoint("https://dev-stream-1.europe-west1.run.app/", endpoints)).to.equal(undefined);
  });

  it("subscription options carry the plan's settings; a test backoff replaces only the backoff", () => {
    const planned = {
      name: "s",
      topic: "projects/p/topics/t",
      ackDeadlineSeconds: 600,
      messageRetentionDuration: "604800s",
      retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
      deadLetterPolicy: { deadLetterTopic: "projects/p/topics/dl", maxDeliveryAttempts: 10 },
      pushEndpoint: "https://x.run.app/",
    };
    expect(subscriptionOptions(planned, "http://127.0.0.1:1/")).to.deep.equal({
      ackDeadlineSeconds: 600,
      messageRetentionDuration: { seconds: 604800 },
      retryPolicy: { minimumBackoff: { seconds: 10 }, maximumBackoff: { seconds: 600 } },
      deadLetterPolicy: { deadLetterTopic: "projects/p/topics/dl", maxDeliveryAttempts: 10 },
      pushConfig: { pushEndpoint: "http://127.0.0.1:1/" },
    });
    expect(subscriptionOptions(planned, undefined, "1s")).to.deep.include({
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 1 } },
      deadLetterPolicy: planned.deadLetterPolicy,
    });
  });

  it("a container's command runs as the project declares in cloudrun-pipelines.yaml: this project's ETL through images/etl/local, services their sources", () => {
    expect(imageName("europe-west1-docker.pkg.dev/p/dev-images/etl@sha256:0000")).to.equal("etl");
    expect(imageName("scorer:latest")).to.equal("scorer");
    const project = { root: ROOT, images: readSettings(ROOT).local!.images };
    const ts = ["-C", "@cloudrun-pipelines/source", "-r", "./tools/register-ts.js"];
    expect(localCommand({ image: "r/etl@sha256:0", command: ["node", "/app/dist/main.js", "load"] }, ["--year", "2001"], project)).to.deep.equal({
      program: process.execPath,
      args: [...ts, "images/etl/local/main.ts", "load", "--year", "2001"],
      cwd: ROOT,
    });
    expect(localCommand({ image: "r/stream@sha256:0", command: [] }, [], project)).to.deep.equal({
      program: process.execPath,
      args: [...ts, "images/stream/src/server.ts"],
      cwd: ROOT,
    });
    const file = path.join(ROOT, "cloudrun-pipelines.yaml");
    expect(() => localCommand({ image: "r/other@sha256:0", command: [] }, [], project)).to.throw(
      `image "r/other@sha256:0": ${file} declares no local command for "other" (local.images: etl, scorer, stream); add local.images.other with its entrypoint and command`,
    );
    expect(() => localCommand({ image: "r/etl@sha256:0", command: ["sh", "-c", "x"] }, [], project)).to.throw(
      `image "etl": command "sh -c x" does not start with local.images.etl.entrypoint "node /app/dist/main.js" of ${file}`,
    );
    expect(
      localCommand({ image: "r/job@sha256:0", command: ["python", "main.py", "x"] }, ["y"], {
        root: "/p",
        images: { job: { entrypoint: ["python", "main.py"], command: ["uv", "run", "main.py"] } },
      }),
    ).to.deep.equal({
      program: "uv",
      args: ["run", "main.py", "x", "y"],
      cwd: "/p",
    });
  });

  it("a local process gets its Cloud Run env and the local endpoints, nothing else of this shell", () => {
    const env = localEnv({ RESULT_TOPIC: "projects/p/topics/r" }, { storeDir: "/s", pubsubHost: "127.0.0.1:1", warehouseFile: "/w.duckdb" }, { PORT: "8080" });
    const shell = ["PATH", "HOME"].filter((k) => process.env[k]);
    expect(Object.keys(env).sort()).to.deep.equal(
      [...shell, "LOCAL_STORE_DIR", "LOCAL_WAREHOUSE_FILE", "METADATA_SERVER_DETECTION", "PORT", "PUBSUB_EMULATOR_HOST", "RESULT_TOPIC"].sort(),
    );
    expect(env).to.deep.include({
      RESULT_TOPIC: "projects/p/topics/r",
      PORT: "8080",
      LOCAL_STORE_DIR: "/s",
      PUBSUB_EMULATOR_HOST: "127.0.0.1:1",
      LOCAL_WAREHOUSE_FILE: "/w.duckdb",
      METADATA_SERVER_DETECTION: "none",
    });
  });

  it("a process's JSON log line on a terminal: `HH:MM:SS SEVERITY message {fields}` in local time, Cloud Logging's own fields left out; other lines unchanged", () => {
    // One line as images/etl/src/log.ts writes it (pino with Google's configuration), at 2026-12-02T01:00:02.303Z.
    const line =
      '[extract/0] {"severity":"NOTICE","level":35,"timestamp":{"seconds":1796173202,"nanos":303000000},"logging.googleapis.com/labels":{"run_id":"r1"},' +
      '"rows":120,"table":"flights","serviceContext":{"service":"dev-etl-extract"},"logging.googleapis.com/insertId":"..........4dgshFyba2mPQQDNgdWTJo","message":"wrote 120 rows"}';
    const tz = process.env.TZ;
    try {
      process.env.TZ = "UTC";
      expect(readableLine(line)).to.equal('[extract/0] 01:00:02 NOTICE  wrote 120 rows {"rows":120,"table":"flights"}');
      process.env.TZ = "America/Los_Angeles"; // UTC-8 in December
      expect(readableLine(line)).to.equal('[extract/0] 17:00:02 NOTICE  wrote 120 rows {"rows":120,"table":"flights"}');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    for (const other of ["extract: task 0 attempt 0 exited with code 1; retrying", "[extract/0] plain text", "[extract/0] {not json}"])
      expect(readableLine(other)).to.equal(other);
  });

  it("the emulator: only a loopback PUBSUB_EMULATOR_HOST where something listens is used; without gcloud, the reason and how to install it", async () => {
    const listening = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(listening.address() as net.AddressInfo).port}`;
    const reused = await startEmulator({ PUBSUB_EMULATOR_HOST: host });
    listening.close();
    expect(reused.host).to.equal(host);
    const nobody = `127.0.0.1:${await freePort()}`;
    let error: Error | undefined;
    await startEmulator({ PUBSUB_EMULATOR_HOST: nobody }).catch((err: Error) => (error = err));
    expect(error?.message).to.equal(
      `PUBSUB_EMULATOR_HOST "${nobody}": nothing listens there (ECONNREFUSED); start the emulator (npm run local -- up streaming prints its host) or unset PUBSUB_EMULATOR_HOST to use Pub/Sub`,
    );
    await startEmulator({ PUBSUB_EMULATOR_HOST: "10.0.0.5:8085" }).catch((err: Error) => (error = err));
    expect(error?.message).to.equal(
      'PUBSUB_EMULATOR_HOST "10.0.0.5:8085": expected a loopback host:port such as 127.0.0.1:8085 (the emulator has no authentication; never expose it)',
    );
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(emulatorMissing({})).to.equal(`the Pub/Sub emulator needs gcloud on the PATH (not found): ${INSTALL_HINT}`);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("gs:// URIs map into the bucket folders, wildcards kept", () => {
    expect(localPath("/s", "gs://b/r1/flights/date=2001-01-01/*.parquet")).to.equal(path.join("/s", "b", "r1", "flights", "date=2001-01-01", "*.parquet"));
  });

  it("portableSql drops BigQuery's PARTITION BY / CLUSTER BY of CREATE TABLE AS and binds @params as typed $params", () => {
    const config = (query: string) => ({
      query,
      useLegacySql: false as const,
      defaultDataset: { projectId: "p", datasetId: "d" },
      parameterMode: "NAMED" as const,
      queryParameters: [{ name: "date_from", parameterType: { type: "DATE" as const }, parameterValue: { value: "2001-01-01" } }],
    });
    expect(
      portableSql(config("CREATE OR REPLACE TABLE daily_summary\nPARTITION BY date AS\nSELECT * FROM f WHERE date >= @date_from AND x = '@other'")),
    ).to.equal("CREATE OR REPLACE TABLE daily_summary AS\nSELECT * FROM f WHERE date >= CAST($date_from AS DATE) AND x = '@other'");
    expect(portableSql(config("CREATE TABLE t PARTITION BY DATE(ts) CLUSTER BY a, b AS SELECT 1"))).to.equal("CREATE TABLE t AS SELECT 1");
  });
});
