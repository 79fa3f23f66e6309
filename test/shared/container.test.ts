import { expect } from "chai";
import { containerEnv, Cpu, resourceLimits } from "../../components/shared/container";

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
      const below = `${(parseFloat(min) * (min.endsWith("GiB") ? 1024 : 1)) - 1} MiB` as "1 MiB";
      const above = `${parseFloat(max) * 1024 + 1} MiB` as "1 MiB";
      expect(() => resourceLimits("J", cpu, below), `${cpu} ${below}`).to.throw(/does not fit/);
      expect(() => resourceLimits("J", cpu, above), `${cpu} ${above}`).to.throw(/does not fit/);
    }
  });
});
