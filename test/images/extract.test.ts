import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Gcs } from "../../images/etl/src/gcs";
import { extract, snakeCase } from "../../images/etl/src/jobs/extract";
import { EXIT, main } from "../../images/etl/src/main";
import { ExtractParams } from "../../images/etl/src/params";
import { logLine } from "../helpers/image-output";

const DATA = path.join(__dirname, "..", "..", "node_modules", "vega-datasets", "data");
const noGcs = (): Gcs => {
  throw new Error("no GCS in this test");
};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "extract-test-"));
const params = (source: string, dataset: string, extra: Partial<ExtractParams> = {}): ExtractParams => ({
  source,
  dataset,
  destination: "",
  dateColumn: "date",
  task: { index: 0, count: 1 },
  ...extra,
});

/** Every row under a dataset folder, as sorted JSON lines (for comparing runs). */
async function rowsUnder(dir: string): Promise<string[]> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const result = await connection.runAndReadAll(`SELECT * FROM read_parquet('${dir}/**/*.parquet')`);
  const rows = result
    .getRowObjectsJson()
    .map((r) => JSON.stringify(r))
    .sort();
  connection.closeSync();
  db.closeSync();
  return rows;
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".parquet"))
    .sort();
}

describe("images/etl extract (DuckDB, on real vega-datasets data)", () => {
  it("snake_case column names", () => {
    expect(["Beak Length (mm)", "Flipper Length (mm)", "Body Mass (g)", "Species", "temp_max", "departureTime"].map(snakeCase)).to.deep.equal([
      "beak_length_mm",
      "flipper_length_mm",
      "body_mass_g",
      "species",
      "temp_max",
      "departure_time",
    ]);
  });

  it("seattle-weather.csv: 1,461 days, one partition per day, types kept, date as DATE", async () => {
    const dest = tmp();
    const result = await extract(params(path.join(DATA, "seattle-weather.csv"), "weather"), dest, noGcs);
    expect(result).to.deep.include({ rowsRead: 1461, rowsRejected: 0, rowsWritten: 1461, destination: `${dest}/weather/` });
    expect(result.partitions).to.have.length(1461);
    expect(result.partitions.slice(0, 2)).to.deep.equal(["2012-01-01", "2012-01-02"]);
    expect(result.columns).to.deep.equal({ date: "DATE", precipitation: "DOUBLE", temp_max: "DOUBLE", temp_min: "DOUBLE", wind: "DOUBLE", weather: "VARCHAR" });
    expect(files(path.join(dest, "weather"))[0]).to.equal(path.join("date=2012-01-01", "part-0.parquet"));
  });

  it("flights JSON: timestamps keep their time in date_time, 128-bit integers become BIGINT, a date range keeps only its days", async () => {
    const dest = tmp();
    const result = await extract(params(path.join(DATA, "flights-2k.json"), "flights", { range: { from: "2001-01-05", to: "2001-01-10" } }), dest, noGcs);
    expect(result.columns).to.deep.equal({
      date: "DATE",
      date_time: "TIMESTAMP",
      delay: "BIGINT",
      distance: "BIGINT",
      origin: "VARCHAR",
      destination: "VARCHAR",
    });
    expect(result.rowsRead).to.equal(2000);
    expect(result.partitions).to.deep.equal(["2001-01-05", "2001-01-06", "2001-01-07", "2001-01-08", "2001-01-09", "2001-01-10"]);
    expect(result.rowsWritten)
      .to.equal((await rowsUnder(path.join(dest, "flights"))).length)
      .and.be.greaterThan(0);
  });

  it("drops and counts rows without a valid date", async () => {
    const dir = tmp();
    const csv = path.join(dir, "readings.csv");
    fs.writeFileSync(csv, "Date,Reading Value\n2024-01-01,1\nnot a date,2\n2024-01-02,3\n,4\n2024-02-30,5\n");
    const result = await extract(params(csv, "readings"), path.join(dir, "out"), noGcs);
    expect(result).to.deep.include({ rowsRead: 5, rowsRejected: 3, rowsWritten: 2, partitions: ["2024-01-01", "2024-01-02"] });
    expect(Object.keys(result.columns)).to.deep.equal(["date", "reading_value"]);
    const shard = await extract(
      params(csv, "readings", { task: { index: 1, count: 2 }, range: { from: "2024-01-01", to: "2024-12-31" } }),
      path.join(dir, "out2"),
      noGcs,
    );
    expect(shard.rowsRejected, "counted by a scan when a task writes only its share").to.equal(3);
  });

  it("array job: 1 task and 4 tasks give the same rows, each day written by exactly one task", async () => {
    const source = path.join(DATA, "flights-20k.json");
    const one = tmp();
    await extract(params(source, "flights"), one, noGcs);
    const four = tmp();
    const written = [];
    for (let index = 0; index < 4; index++) written.push(await extract(params(source, "flights", { task: { index, count: 4 } }), four, noGcs));
    const days = written.flatMap((w) => w.partitions);
    expect(new Set(days).size).to.equal(days.length);
    expect(written.reduce((n, w) => n + w.rowsWritten, 0)).to.equal(20000);
    expect(await rowsUnder(path.join(four, "flights"))).to.deep.equal(await rowsUnder(path.join(one, "flights")));
    expect(written.map((w) => w.partitions.length).every((n) => n > 0)).to.equal(true);
  });

  it("re-running the same parameters rewrites the same objects, and leaves no file of an earlier run with another task count", async () => {
    const source = path.join(DATA, "flights-2k.json");
    const dest = tmp();
    for (let index = 0; index < 2; index++) await extract(params(source, "flights", { task: { index, count: 2 } }), dest, noGcs);
    await extract(params(source, "flights"), dest, noGcs);
    const first = files(path.join(dest, "flights"));
    const rows = await rowsUnder(path.join(dest, "flights"));
    await extract(params(source, "flights"), dest, noGcs);
    expect(files(path.join(dest, "flights"))).to.deep.equal(first);
    expect(first.every((f) => f.endsWith("part-0.parquet"))).to.equal(true);
    expect(await rowsUnder(path.join(dest, "flights"))).to.deep.equal(rows);
    expect(rows).to.have.length(2000);
  });

  it("writes to gs:// through the storage client: uploads part-<task>.parquet over a day's objects, then deletes the old ones it did not replace", async () => {
    const calls: string[] = [];
    const gcs: Gcs = {
      list: async (bucket, prefix) => (calls.push(`list ${bucket} ${prefix}`), prefix.endsWith("date=2012-01-01/") ? [`${prefix}part-3.parquet`] : []),
      download: async () => undefined,
      upload: async (_file, bucket, name) => void calls.push(`upload ${bucket} ${name}`),
      delete: async (bucket, name) => void calls.push(`delete ${bucket} ${name}`),
    };
    const result = await extract(
      params(path.join(DATA, "seattle-weather.csv"), "weather", { range: { from: "2012-01-01", to: "2012-01-02" } }),
      "gs://p-dev-raw/",
      () => gcs,
    );
    expect(result.destination).to.equal("gs://p-dev-raw/weather/");
    expect(calls).to.deep.equal([
      "list p-dev-raw weather/",
      "upload p-dev-raw weather/date=2012-01-01/part-0.parquet",
      "list p-dev-raw weather/date=2012-01-01/",
      "delete p-dev-raw weather/date=2012-01-01/part-3.parquet",
      "upload p-dev-raw weather/date=2012-01-02/part-0.parquet",
      "list p-dev-raw weather/date=2012-01-02/",
    ]);
  });

  it("reads a gs:// prefix: downloads every CSV, Parquet or JSON object under it, and reads them together", async () => {
    const downloads: string[] = [];
    const gcs: Gcs = {
      list: async (_bucket, prefix) => [`${prefix}2012.csv`, `${prefix}README.md`, `${prefix}2013.csv`],
      download: async (bucket, name, local) => {
        downloads.push(`${bucket}/${name}`);
        const all = fs.readFileSync(path.join(DATA, "seattle-weather.csv"), "utf8").trim().split("\n");
        const year = name.includes("2012") ? "2012" : "2013";
        fs.writeFileSync(local, [all[0], ...all.slice(1).filter((l) => l.startsWith(year))].join("\n"));
      },
      upload: async () => undefined,
      delete: async () => undefined,
    };
    const result = await extract(params("gs://p-landing/weather/", "weather"), tmp(), () => gcs);
    expect(downloads).to.deep.equal(["p-landing/weather/2012.csv", "p-landing/weather/2013.csv"]);
    expect(result).to.deep.include({ rowsRead: 731, rowsWritten: 731, rowsRejected: 0 });
  });

  const failures: [string, () => string, string][] = [
    [
      "an unreadable Parquet file",
      () => {
        const f = path.join(tmp(), "broken.parquet");
        fs.writeFileSync(f, "not parquet at all");
        return f;
      },
      "cannot read the source as read_parquet: Invalid Input Error: No magic bytes found at end of file",
    ],
    ["a missing source", () => "/nonexistent/flights.csv", "cannot read /nonexistent/flights.csv: no such file or folder"],
    [
      "an empty CSV",
      () => {
        const f = path.join(tmp(), "empty.csv");
        fs.writeFileSync(f, "");
        return f;
      },
      "empty.csv is empty",
    ],
    [
      "a CSV without the date column",
      () => {
        const f = path.join(tmp(), "wrong.csv");
        fs.writeFileSync(f, "a,b\n1,2\n");
        return f;
      },
      'the source has no date column "date"; its columns: a, b (pass --date-column)',
    ],
    [
      "no date column",
      () => path.join(DATA, "penguins.json"),
      'the source has no date column "date"; its columns: species, island, beak_length_mm, beak_depth_mm, flipper_length_mm, body_mass_g, sex (pass --date-column)',
    ],
    [
      "an unknown format",
      () => {
        const f = path.join(tmp(), "data.xlsx");
        fs.writeFileSync(f, "x");
        return f;
      },
      'cannot tell the format of "',
    ],
    [
      "a header-only CSV",
      () => {
        const f = path.join(tmp(), "header.csv");
        fs.writeFileSync(f, "date,temp\n");
        return f;
      },
      "header.csv has no rows (a header only?): nothing to extract",
    ],
    [
      "a date column that never parses",
      () => {
        const f = path.join(tmp(), "dates.csv");
        fs.writeFileSync(f, "date,temp\nyesterday,1\ntoday,2\nsoon,3\n");
        return f;
      },
      'dates.csv were rejected: the date column "date" never parses as a date (e.g. "yesterday"); nothing was written',
    ],
  ];
  for (const [what, source, message] of failures) {
    it(`fails clearly on ${what}: exit 1, the reason in the last log line`, async () => {
      const lines: string[] = [];
      const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
      const code = await main(["extract", "--source", source(), "--dataset", "x", "--dest", tmp()], {}, io);
      expect(code).to.equal(EXIT.failed);
      const last = logLine(lines[lines.length - 1]);
      expect(last.severity).to.equal("ERROR");
      expect(last.message).to.include(message);
    });
  }

  it("an unreachable https source: exit 1 naming the URL and the cause", async () => {
    // A port that was just free: nothing listens on it, so the connection is refused.
    const server = net.createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const lines: string[] = [];
    const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
    const dest = tmp();
    const code = await main(["extract", "--source", `https://127.0.0.1:${port}/flights.csv`, "--dataset", "x", "--dest", dest], {}, io);
    expect(code).to.equal(EXIT.failed);
    expect(logLine(lines[lines.length - 1]).message).to.equal(
      `extract failed: cannot download https://127.0.0.1:${port}/flights.csv: the source is unreachable (ECONNREFUSED)`,
    );
    expect(fs.readdirSync(dest)).to.deep.equal([]);
  });

  it("every row rejected: the count and the column in the error, and nothing written or deleted", async () => {
    const dest = tmp();
    await extract(params(path.join(DATA, "seattle-weather.csv"), "weather", { range: { from: "2012-01-01", to: "2012-01-03" } }), dest, noGcs);
    const before = files(path.join(dest, "weather"));
    const source = path.join(tmp(), "bad.csv");
    fs.writeFileSync(source, "date,temp\n2012-13-45,1\nnot a date,2\n");
    let message = "";
    await extract(params(source, "weather"), dest, noGcs).catch((err: Error) => (message = err.message));
    expect(message).to.equal(`all 2 rows of ${source} were rejected: the date column "date" never parses as a date (e.g. "2012-13-45"); nothing was written`);
    expect(files(path.join(dest, "weather"))).to.deep.equal(before);
  });

  it("a re-run of a range from a smaller source deletes the days it owns that the source no longer has, and nothing outside its range or share", async () => {
    const all = fs.readFileSync(path.join(DATA, "seattle-weather.csv"), "utf8").trim().split("\n");
    const dir = tmp();
    const larger = path.join(dir, "larger.csv");
    const smaller = path.join(dir, "smaller.csv");
    fs.writeFileSync(larger, [all[0], ...all.slice(1).filter((l) => l.startsWith("2012-01-0"))].join("\n")); // 2012-01-01 .. 09
    fs.writeFileSync(smaller, [all[0], ...all.slice(1).filter((l) => /^2012-01-0[1-3]/.test(l))].join("\n")); // 01 .. 03
    const dest = tmp();
    await extract(params(larger, "weather"), dest, noGcs);
    const range = { from: "2012-01-01", to: "2012-01-06" };
    // Two tasks: task 0 owns the even day numbers of the range, task 1 the odd ones; together the whole range.
    const removed: string[] = [];
    for (const index of [0, 1]) removed.push(...(await extract(params(smaller, "weather", { range, task: { index, count: 2 } }), dest, noGcs)).removed);
    expect(removed.sort()).to.deep.equal(["2012-01-04", "2012-01-05", "2012-01-06"]);
    const days = fs.readdirSync(path.join(dest, "weather")).sort();
    expect(days).to.deep.equal(["date=2012-01-01", "date=2012-01-02", "date=2012-01-03", "date=2012-01-07", "date=2012-01-08", "date=2012-01-09"]);
  });

  it("on gs://, a stale day it owns is deleted object by object; a day outside its share is listed but left; a day's object is replaced, not deleted first", async () => {
    const calls: string[] = [];
    const existing = [
      "weather/date=2012-01-01/part-0.parquet",
      "weather/date=2012-01-02/part-0.parquet",
      "weather/date=2012-01-05/part-0.parquet",
      "weather/date=2012-01-06/part-0.parquet",
    ];
    const gcs: Gcs = {
      list: async (bucket, prefix) => (calls.push(`list ${bucket} ${prefix}`), existing.filter((n) => n.startsWith(prefix))),
      download: async () => undefined,
      upload: async (_file, bucket, name) => void calls.push(`upload ${bucket} ${name}`),
      delete: async (bucket, name) => void calls.push(`delete ${bucket} ${name}`),
    };
    // 2012-01-01 is day 15340 (even): task 0 of 2 owns 01, 03, 05; it writes 01 only (the range's one day in the source).
    const source = path.join(tmp(), "one.csv");
    fs.writeFileSync(source, "date,temp\n2012-01-01,1\n");
    const result = await extract(
      params(source, "weather", { range: { from: "2012-01-01", to: "2012-01-06" }, task: { index: 0, count: 2 } }),
      "gs://p-dev-raw/",
      () => gcs,
    );
    expect(result.removed).to.deep.equal(["2012-01-05"]);
    expect(calls.filter((c) => !c.startsWith("list"))).to.deep.equal([
      "delete p-dev-raw weather/date=2012-01-05/part-0.parquet",
      "upload p-dev-raw weather/date=2012-01-01/part-0.parquet",
    ]);
  });
});
