import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "path";

/** The protos google-gax ships (google/longrunning, google/rpc, google/api ...), which every client's protos import. */
const GAX_PROTOS = path.join(path.dirname(require.resolve("google-gax")), "..", "..", "build", "protos");

/**
 * Loads `files` from `protosDir` (a client package's `build/protos`) and google-gax's protos, decoded the way the
 * fakes read requests (camelCase fields, longs and enums as strings, no defaults), as a gRPC package object.
 */
export function loadProtos(files: string[], protosDir: string): grpc.GrpcObject {
  const definition = protoLoader.loadSync(files, {
    includeDirs: [protosDir, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: false,
  });
  return grpc.loadPackageDefinition(definition);
}

/** A recorded request: the method and the request message as the server decoded it. */
export interface RecordedRequest {
  method: string;
  request: Record<string, unknown>;
}

/** What the local fakes of Google APIs share: a gRPC server on loopback and the requests it answered. */
export abstract class LoopbackFake<R extends RecordedRequest = RecordedRequest> {
  readonly requests: R[] = [];
  protected server = new grpc.Server();
  /** `127.0.0.1:<port>` once started. */
  host = "";

  /** Starts serving on a free loopback port; returns `host`. */
  protected async listen(): Promise<string> {
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.host = `127.0.0.1:${port}`;
    return this.host;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Requests to `method`, in order. */
  calls(method: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.method === method).map((r) => r.request);
  }
}
