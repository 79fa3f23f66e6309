import { expect } from "chai";
import { copySources } from "../../../components/shared/dockerfile";

describe("shared/dockerfile: what a Dockerfile copies from its context", () => {
  it("every COPY and ADD source, in shell and exec form, lines continued with a backslash, flags dropped; COPY --from left out", () => {
    const dockerfile = [
      "# a comment: COPY nothing ./",
      "FROM node:24 AS build",
      "COPY package.json package-lock.json \\",
      "  tsconfig.base.json ./",
      'COPY --chown=node:node ["images/etl/src", "images/etl/src"]',
      "ADD images/etl/sql ./sql",
      "COPY --from=build /app/dist ./dist",
      "RUN npm ci",
    ].join("\n");
    expect(copySources(dockerfile)).to.deep.equal(["package.json", "package-lock.json", "tsconfig.base.json", "images/etl/src", "images/etl/sql"]);
  });
});
