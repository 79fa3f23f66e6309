import { expect } from "chai";
import { durationString, memoryQuantity, toMiB, toSeconds } from "../../components/shared/units";

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
    expect(() => toSeconds("10m" as "10 minutes", "Job.timeout")).to.throw('Job.timeout: "10m" is not a duration; write a number and a unit, e.g. "90 seconds"');
    expect(() => toSeconds("0.5 seconds", "Job.timeout")).to.throw('Job.timeout: "0.5 seconds" is 0.5 seconds; use a positive whole number of seconds');
    expect(() => toMiB("2 GB" as "2 GiB", "Job.memory")).to.throw('Job.memory: "2 GB" is not a memory size');
    expect(() => toMiB("0.1 MiB", "Job.memory")).to.throw("Job.memory: \"0.1 MiB\" is 0.1 MiB; use a positive whole number of MiB");
  });
});
