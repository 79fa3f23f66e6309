import * as pulumi from "@pulumi/pulumi";
import { physicalName, StreamProcessor } from "@cloudrun-pipelines/components";
import { StackConfig } from "../config";

/**
 * The streaming pipeline: requests (JSON trips) published to the request topic are pushed to the private `stream`
 * service (`images/stream`, a flight-delay predictor trained on vega-datasets' flights at startup), which publishes
 * each prediction to the result topic with the request's `correlationId` attribute. A backend, or
 * `npm run stream -- send --file req.json --wait`, publishes a request and pulls exactly its own answer from the
 * `backend` result subscription. The members of `streamClients` may publish requests and pull results.
 */
export function declareStreaming(config: StackConfig, image: pulumi.Input<string>, opts: pulumi.ComponentResourceOptions): StreamProcessor {
  const { stack, region, policy } = config;
  return new StreamProcessor(
    "stream",
    {
      requestTopicName: physicalName("pubsub", [stack, "stream", "requests"]),
      resultTopicName: physicalName("pubsub", [stack, "stream", "results"]),
      service: {
        serviceName: physicalName("cloudRunService", [stack, "stream"]),
        location: region,
        image,
        memory: "1 GiB",
        // Predictions are quick and the model is shared by the requests of one instance.
        concurrency: 80,
        maxInstances: 10,
        requestTimeout: "1 minute",
        serviceAccount: {
          accountId: physicalName("serviceAccount", [stack, "stream"]),
          displayName: `Stream predictor (${stack})`,
          description: "Runs the streaming predictor.",
        },
        policy,
      },
      push: {
        subscriptionName: physicalName("pubsub", [stack, "stream", "push"]),
        invoker: {
          accountId: physicalName("serviceAccount", [stack, "stream", "push"]),
          displayName: `Stream push (${stack})`,
          description: "Signs Pub/Sub pushes to the stream predictor.",
        },
        ackDeadline: "60 seconds",
        retry: { minBackoff: "1 second", maxBackoff: "60 seconds" },
        maxDeliveryAttempts: 5,
      },
      resultSubscriptions: {
        backend: {
          subscriptionName: physicalName("pubsub", [stack, "stream", "results", "backend"]),
          ackDeadline: "30 seconds",
          messageRetention: "10 minutes",
        },
      },
      clients: [...config.streamClients],
    },
    opts,
  );
}
