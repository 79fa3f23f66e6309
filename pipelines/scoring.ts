import * as pulumi from "@pulumi/pulumi";
import { Bucket, BucketTrigger, CloudRunService, physicalName } from "@cloudrun-pipelines/components";
import { StackConfig } from "../config";

/** Column the scorer predicts in each uploaded CSV (`LABEL_COLUMN`): the species of the penguins sample (`images/scorer/sample`). */
export const SCORER_LABEL_COLUMN = "Species";

/** What the scoring pipeline declares. */
export interface ScoringPipeline {
  readonly buckets: { readonly input: Bucket; readonly output: Bucket };
  readonly service: CloudRunService;
  readonly trigger: BucketTrigger;
}

/**
 * The event-driven scoring pipeline: a CSV finalized in the input bucket → GCS notification → topic → push
 * subscription (OIDC) → the private `scorer` service (`images/scorer`), which fits a logistic regression and writes
 * `<name>/<generation>/predictions.csv` and `metrics.json` to the output bucket. The service's account reads the
 * input bucket and writes the output bucket, nothing else; a CSV it cannot score (422) is retried, then
 * dead-lettered.
 *
 * | identity   | input | output | service        |
 * |------------|-------|--------|----------------|
 * | scorer     | read  | write  |                |
 * | push       |       |        | run.invoker    |
 */
export function declareScoring(config: StackConfig, image: pulumi.Input<string>, opts: pulumi.ComponentResourceOptions): ScoringPipeline {
  const { stack, project, region, policy } = config;
  const bucket = (name: "input" | "output") =>
    new Bucket(
      `scoring-${name}`,
      { bucketName: physicalName("bucket", [project, stack, "scoring", name]), location: region, envName: `${name.toUpperCase()}_BUCKET`, policy },
      opts,
    );
  const input = bucket("input");
  const output = bucket("output");
  const service = new CloudRunService(
    "scorer",
    {
      serviceName: physicalName("cloudRunService", [stack, "scorer"]),
      location: region,
      image,
      env: { LABEL_COLUMN: SCORER_LABEL_COLUMN },
      memory: "1 GiB",
      // One CSV per request: a fit takes a core, so one request at a time per instance.
      concurrency: 1,
      maxInstances: 5,
      requestTimeout: "10 minutes",
      serviceAccount: {
        accountId: physicalName("serviceAccount", [stack, "scorer"]),
        displayName: `Scorer (${stack})`,
        description: "Runs the scoring service.",
      },
      links: [input.read, output.write],
      policy,
    },
    opts,
  );
  const trigger = new BucketTrigger(
    "scoring-trigger",
    {
      bucket: input,
      service,
      topicName: physicalName("pubsub", [stack, "scoring", "uploads"]),
      push: {
        subscriptionName: physicalName("pubsub", [stack, "scoring", "push"]),
        invoker: {
          accountId: physicalName("serviceAccount", [stack, "scoring", "push"]),
          displayName: `Scoring push (${stack})`,
          description: "Signs Pub/Sub pushes to the scorer.",
        },
        // The push waits for the scoring of a whole CSV: up to 10 minutes, Pub/Sub's longest ack deadline.
        ackDeadline: "600 seconds",
        // A burst of uploads meets 429s while all 5 instances are busy, and each counts as a delivery attempt: 10
        // attempts with backoff up to 10 minutes give a burst about an hour before a CSV is dead-lettered.
        maxDeliveryAttempts: 10,
      },
    },
    opts,
  );
  return { buckets: { input, output }, service, trigger };
}
