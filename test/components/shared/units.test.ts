import { expect } from "chai";
import { durationString, memoryQuantity, toMiB, toSeconds } from "../../../components/shared/units";

describe("units", () => {
  it("durations convert to whole seconds and to the API's Duration string", () => {
    expect(toSeconds("90 seconds", "f")).to.equal(90);
    expect(toSeconds("1 minute", "f")).to.equal(60);
    expect(toSeconds("1.5 hours", "f")).to.equal(5400);
    expect(toSeconds("7 days", "f")).to.equal(604800);
    expect(durationString(600)).to.equal("600s");
  });

  it("sizes convert to MiB and to Kubernetes quantities", () => {
    expect(toMiB("512 MiB", "f")).to.equal(512);
    expect(toMiB("1.5 GiB", "f")).to.equal(1536);
    expect(memoryQuantity(512)).to.equal("512Mi");
    expect(memoryQuantity(2048)).to.equal("2Gi");
    expect(memoryQuantity(1536)).to.equal("1536Mi");
  });

  it("names the field and the expected form on bad input", () => {
    expect(() => toSeconds("10m" as "10 minutes", "Job.timeout")).to.throw(
      'Job.timeout: "10m" is not a duration; write a number and a unit, e.g. "90 seconds"',
    );
    expect(() => toSeconds("0.5 seconds", "Job.timeout")).to.throw('Job.timeout: "0.5 seconds" is 0.5 seconds; use a positive whole number of seconds');
    expect(() => toMiB("2 GB" as "2 GiB", "Job.memory")).to.throw('Job.memory: "2 GB" is not a memory size');
    expect(() => toMiB("0.1 MiB", "Job.memory")).to.throw('Job.memory: "0.1 MiB" is 0.1 MiB; use a positive whole number of MiB');
  });
  it("every unit, singular and plural, in seconds; and the Duration string", () => {
    const cases: [string, number][] = [
      ["1 second", 1],
      ["2 seconds", 2],
      ["1 minute", 60],
      ["10 minutes", 600],
      ["1 hour", 3600],
      ["168 hours", 604800],
      ["1 day", 86400],
      ["7 days", 604800],
    ];
    for (const [text, seconds] of cases) expect(toSeconds(text as "1 second", "f"), text).to.equal(seconds);
    expect(durationString(toSeconds("7 days", "f"))).to.equal("604800s");
    expect(durationString(1)).to.equal("1s");
  });

  it("rejects unknown units, zero, negatives and a missing space, naming the field", () => {
    expect(() => toSeconds("3 weeks" as "3 days", "S.retry.maxBackoff")).to.throw(/^S\.retry\.maxBackoff: "3 weeks" is not a duration/);
    expect(() => toSeconds("0 minutes", "f")).to.throw('f: "0 minutes" is 0 seconds; use a positive whole number of seconds');
    expect(() => toSeconds("-5 seconds", "f")).to.throw(/^f: "-5 seconds" is not a duration/);
    expect(() => toSeconds("5seconds" as "5 seconds", "f")).to.throw(/^f: "5seconds" is not a duration/);
    expect(() => toMiB("0 GiB", "f")).to.throw('f: "0 GiB" is 0 MiB; use a positive whole number of MiB');
    expect(() => toMiB("512 mib" as "512 MiB", "f")).to.throw(/^f: "512 mib" is not a memory size; write a number and MiB or GiB/);
    expect(() => toMiB("512MiB" as "512 MiB", "f")).to.throw(/^f: "512MiB" is not a memory size/);
  });

  it("memory quantities: whole GiB as Gi, anything else as Mi", () => {
    expect(memoryQuantity(1024)).to.equal("1Gi");
    expect(memoryQuantity(32768)).to.equal("32Gi");
    expect(memoryQuantity(4095)).to.equal("4095Mi");
    expect(toMiB("4 GiB", "f")).to.equal(4096);
  });
});
