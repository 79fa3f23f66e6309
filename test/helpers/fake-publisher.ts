import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { loadProtos, LoopbackFake } from "../../tools/loopback-fake";
import type { Hold } from "./fake-gcs";

// Pub/Sub's Publisher service (google.pubsub.v1.Publisher: Publish), served on loopback from the protos that ship
// with @google-cloud/pubsub, so the real client speaks the real wire format to it (`PUBSUB_EMULATOR_HOST` points the
// client here, without credentials). Unlike the emulator, it can hold a Publish call to keep a push in flight.
const PUBSUB_PROTOS = path.join(path.dirname(require.resolve("@google-cloud/pubsub/package.json")), "build", "protos");

/** A published message, as the service decoded it. */
export interface PublishedMessage {
  readonly topic: string;
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
  readonly messageId: string;
}

export class FakePublisher extends LoopbackFake {
  /** Every message published, in order, with the id it was given. */
  readonly published: PublishedMessage[] = [];
  private holds: { arrived: () => void; released: Promise<void> }[] = [];

  async start(): Promise<string> {
    const loaded = loadProtos(["google/pubsub/v1/pubsub.proto"], PUBSUB_PROTOS) as unknown as {
      google: { pubsub: { v1: { Publisher: { service: grpc.ServiceDefinition } } } };
    };
    this.server.addService(loaded.google.pubsub.v1.Publisher.service, {
      publish: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => void this.publish(call, callback),
    });
    return this.listen();
  }

  /** Holds the next Publish call unanswered until `release()`. */
  hold(): Hold {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ arrived, released });
    return { reached, release };
  }

  stop(): Promise<void> {
    this.server.forceShutdown();
    return Promise.resolve();
  }

  private async publish(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>): Promise<void> {
    this.requests.push({ method: "Publish", request: call.request });
    const held = this.holds.shift();
    if (held) {
      held.arrived();
      await held.released;
    }
    const topic = String(call.request.topic);
    const messages = (call.request.messages ?? []) as { data?: Buffer; attributes?: Record<string, string> }[];
    const ids = messages.map((m) => {
      const messageId = String(this.published.length + 1);
      this.published.push({ topic, data: m.data ?? Buffer.alloc(0), attributes: m.attributes ?? {}, messageId });
      return messageId;
    });
    callback(null, { messageIds: ids });
  }
}
