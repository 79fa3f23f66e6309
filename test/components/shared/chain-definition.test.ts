import { expect } from "chai";
import { parse } from "yaml";
import { chainDefinition, READ_RETRY, RUN_RETRY } from "../../../components/shared/chain-definition";
import { checkDefinitionExpressions, checkExpression } from "../../helpers/workflows-expressions";

type Step = Record<string, Record<string, unknown>>;
const stepOf = (steps: Step[], name: string) => steps.find((s) => Object.keys(s)[0] === name)![name];

const CHAIN = {
  steps: [
    {
      name: "extract",
      jobId: "projects/p/locations/europe-west1/jobs/dev-etl-extract",
      env: { DATASET_NAME: "flights" },
      args: ["--year", "2024"],
      taskCount: 4,
      timeoutSeconds: 3600,
    },
    { name: "load", jobId: "projects/p/locations/europe-west1/jobs/dev-etl-load" },
  ],
  stagingBucket: "p-dev-staging",
  pollSeconds: 15,
};

describe("chainDefinition: documented Workflows syntax only", () => {
  it("every ${...} of the generated definition is in the documented expression subset, and there are some in every part", () => {
    const source = chainDefinition(CHAIN);
    const found = checkDefinitionExpressions(source);
    expect(found).to.include.members([
      "${default(input, empty)}",
      '${default(map.get(input, "runId"), sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID"))}',
      '${"from" in input}',
      '${not("HttpError" in e.tags)}',
      "${e.code == 429}",
      "${http.default_retry_predicate}",
    ]);
    expect(source).not.to.match(/\$\{[^}]*[{[]/);
  });

  it("maps the expressions once held are built in YAML first: the empty default input and each step's env list", () => {
    const def = parse(chainDefinition(CHAIN)) as { main: { steps: Step[] } };
    const init = stepOf(def.main.steps, "init").assign as Record<string, unknown>[];
    expect(init[0]).to.deep.equal({ empty: {} });
    expect(init[1]).to.deep.equal({ input: "${default(input, empty)}" });
    expect(stepOf(def.main.steps, "extract_overrides")).to.deep.equal({
      assign: [
        {
          extract_env: [
            { name: "RUN_ID", value: "${runId}" },
            { name: "STAGING_PREFIX", value: "${stagingPrefix}" },
            { name: "DATASET_NAME", value: "flights" },
          ],
        },
      ],
    });
  });

  // The steps' order is JobChain's test (test/components/job-chain.test.ts).
  it("main reads only runId and from of its input: nothing derived from a CloudEvent", () => {
    const source = chainDefinition(CHAIN);
    expect(source.match(/input\.\w+|map\.get\(input, "\w+"\)|"\w+" in input/g)).to.have.members([
      'map.get(input, "runId")',
      'map.get(input, "from")',
      'map.get(input, "from")',
      '"from" in input',
      "input.from",
    ]);
  });

  it("the execution reads retry on 429, 5xx gateway errors and connection errors (Google's idempotent predicate); the run call only on 429, so a job never starts twice", () => {
    const def = parse(chainDefinition(CHAIN)) as { run_job: { steps: Step[] }; run_rejected: { params: string[]; steps: Step[] } };
    expect(stepOf(def.run_job.steps, "poll")).to.deep.include({
      retry: { predicate: "${http.default_retry_predicate}", max_retries: 10, backoff: { initial_delay: 2, max_delay: 60, multiplier: 2 } },
    });
    expect((stepOf(def.run_job.steps, "poll").try as { call: string }).call).to.equal("http.get");
    expect(stepOf(def.run_job.steps, "start")).to.deep.include({
      retry: { predicate: "${run_rejected}", max_retries: 5, backoff: { initial_delay: 10, max_delay: 120, multiplier: 2 } },
    });
    expect((stepOf(def.run_job.steps, "start").try as { call: string }).call).to.equal("http.post");
    expect([READ_RETRY.predicate, RUN_RETRY.predicate]).to.deep.equal(["${http.default_retry_predicate}", "${run_rejected}"]);
    expect(def.run_rejected).to.deep.equal({
      params: ["e"],
      steps: [
        { not_http: { switch: [{ condition: '${not("HttpError" in e.tags)}', return: false }] } },
        { too_many_requests: { switch: [{ condition: "${e.code == 429}", return: true }] } },
        { otherwise: { return: false } },
      ],
    });
  });

  it("the checker rejects what the reference does not document: map and list literals, unknown functions, a partial interpolation", () => {
    expect(() => checkExpression("default(input, {})")).to.throw(/"\{" at \d+ is not in the documented subset/);
    expect(() => checkExpression('default(map.get(input, "runId"), {"id": runId})')).to.throw(/"\{"/);
    expect(() => checkExpression('map.get(input, ["data", "bucket"]) != null')).to.throw(/"\[" at \d+ is not in the documented subset/);
    expect(() => checkExpression('text.split(name, "/")')).to.throw(/text\.split\(\) is not a function of the documented subset/);
    expect(() => checkExpression("default(input)")).to.throw(/default\(\) takes 2 arguments, not 1/);
    expect(() => checkExpression("a ==")).to.throw(/unexpected end/);
    expect(() => checkDefinitionExpressions("main:\n  steps:\n    - a:\n        assign:\n          - x: ${default(input, {})}\n")).to.throw(
      /"\$\{default\(input, \{\}\)\}": "\{"/,
    );
    expect(() => checkDefinitionExpressions('main:\n  steps:\n    - a:\n        assign:\n          - x: "gs://${bucket}/"\n')).to.throw(
      /an expression must be the whole value/,
    );
    expect(() => checkExpression('"gs://p-dev-staging/" + runId + "/"')).not.to.throw();
    expect(() => checkExpression('default(map.get(execution.body, "succeededCount"), 0) == execution.body.taskCount')).not.to.throw();
  });
});
