import { expect } from "chai";
import { containerEnv, Cpu, resourceLimits } from "../../../components/shared/container";

describe("container env and limits", () => {
  it("env: plain values and secret references in one list sorted by name (a stable order keeps diffs to the variable that changed)", () => {
    expect(containerEnv("J", { B: "2", A: "1" }, { C_KEY: { secret: "s" } })).to.deep.equal([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
      { name: "C_KEY", valueSource: { secretKeyRef: { secret: "s", version: "latest" } } },
    ]);
  });

  it("env: rejects reserved, invalid and doubly-set names", () => {
    expect(() => containerEnv("J", { PORT: "1" }, {})).to.throw("J.env: PORT is set by Cloud Run itself; choose another name");
    expect(() => containerEnv("J", { X_GOOGLE_A: "1" }, {})).to.throw("X_GOOGLE_A is set by Cloud Run itself");
    expect(() => containerEnv("J", { "1A": "1" }, {})).to.throw('J.env: "1A" is not a valid variable name');
    expect(() => containerEnv("J", { K: "1" }, { K: { secret: "s" } })).to.throw("J.secretEnv: K is also a plain env variable");
  });

  it("limits: cpu always with memory, each vCPU count with its documented memory range", () => {
    const ranges: [Cpu, string, string][] = [
      [1, "512 MiB", "4 GiB"],
      [2, "512 MiB", "8 GiB"],
      [4, "2 GiB", "16 GiB"],
      [6, "4 GiB", "24 GiB"],
      [8, "4 GiB", "32 GiB"],
    ];
    for (const [cpu, min, max] of ranges) {
      expect(resourceLimits("J", cpu, min as "512 MiB").cpu).to.equal(String(cpu));
      expect(resourceLimits("J", cpu, max as "4 GiB").memory).to.equal(max.replace(" GiB", "Gi"));
      const below = `${parseFloat(min) * (min.endsWith("GiB") ? 1024 : 1) - 1} MiB` as "1 MiB";
      const above = `${parseFloat(max) * 1024 + 1} MiB` as "1 MiB";
      expect(() => resourceLimits("J", cpu, below), `${cpu} ${below}`).to.throw(/does not fit/);
      expect(() => resourceLimits("J", cpu, above), `${cpu} ${above}`).to.throw(/does not fit/);
    }
  });
  it("env: pinned secret versions are kept, uppercase sorts before lowercase and underscores by code point", () => {
    expect(containerEnv("J", { b: "3", B_2: "2", B: "1" }, { A_SECRET: { secret: "projects/p/secrets/s", version: "4" } }).map((e) => e.name)).to.deep.equal([
      "A_SECRET",
      "B",
      "B_2",
      "b",
    ]);
    expect(containerEnv("J", {}, { K: { secret: "s", version: "4" } })).to.deep.equal([
      { name: "K", valueSource: { secretKeyRef: { secret: "s", version: "4" } } },
    ]);
    expect(containerEnv("J", {}, {})).to.deep.equal([]);
  });

  it("env: every variable Cloud Run sets for a job is reserved, in env and in secretEnv", () => {
    for (const name of [
      "CLOUD_RUN_JOB",
      "CLOUD_RUN_EXECUTION",
      "CLOUD_RUN_TASK_INDEX",
      "CLOUD_RUN_TASK_ATTEMPT",
      "CLOUD_RUN_TASK_COUNT",
      "PORT",
      "K_SERVICE",
      "K_REVISION",
      "K_CONFIGURATION",
    ]) {
      expect(() => containerEnv("J", { [name]: "1" }, {}), name).to.throw(`J.env: ${name} is set by Cloud Run itself; choose another name`);
      expect(() => containerEnv("J", {}, { [name]: { secret: "s" } }), name).to.throw(`J.env: ${name} is set by Cloud Run itself`);
    }
    expect(() => containerEnv("J", { "MY-VAR": "1" }, {})).to.throw(
      'J.env: "MY-VAR" is not a valid variable name; use letters, digits and underscores, not starting with a digit',
    );
  });

  it("limits: cpu set together with memory (memory alone makes the API add a cpu and diff on every update)", () => {
    expect(resourceLimits("J", 1, "512 MiB")).to.deep.equal({ cpu: "1", memory: "512Mi" });
    expect(resourceLimits("J", 4, "2 GiB")).to.deep.equal({ cpu: "4", memory: "2Gi" });
    expect(resourceLimits("J", 2, "1536 MiB")).to.deep.equal({ cpu: "2", memory: "1536Mi" });
  });

  it("limits: exact errors for a cpu count Cloud Run does not offer and memory that does not fit", () => {
    expect(() => resourceLimits("CloudRunJob(x)", 3 as Cpu, "1 GiB")).to.throw("CloudRunJob(x).cpu: 3 is not an allowed vCPU count; use 1, 2, 4, 6 or 8");
    expect(() => resourceLimits("CloudRunJob(x)", 6, "2 GiB")).to.throw("CloudRunJob(x).memory: 2 GiB does not fit 6 vCPU; use 4Gi to 24Gi with 6 vCPU");
    expect(() => resourceLimits("CloudRunJob(x)", 1, "5 GiB")).to.throw("CloudRunJob(x).memory: 5 GiB does not fit 1 vCPU; use 512Mi to 4Gi with 1 vCPU");
    expect(() => resourceLimits("CloudRunJob(x)", 1, "1 GB" as "1 GiB")).to.throw(/^CloudRunJob\(x\)\.memory: "1 GB" is not a memory size/);
  });
});
