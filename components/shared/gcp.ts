/**
 * The `@pulumi/gcp` namespaces this project uses, re-exported one by one: `import * as gcp from "./shared/gcp"`
 * reads as `import * as gcp from "@pulumi/gcp"` at every call site (`gcp.storage.Bucket`, `gcp.types.input…`).
 *
 * Why not the package root: type-checking `@pulumi/gcp`'s root pulls in the declarations of all ~150 services
 * (about 2,100 `.d.ts` files); these 13 namespaces need about 850 (mostly the shared `types/input.d.ts` and
 * `types/output.d.ts`). That is most of the type-check time of `npm run preview`, `npm run build` and `pulumi up`
 * (measured: `../shared/reference/performance-notes.md` §1.2–1.3). At run time the root's lazy getters load these
 * same modules, so the program registers the same resources.
 *
 * Add a namespace here when a component first needs it.
 *
 * @example
 * import * as gcp from "./gcp";
 * export const exampleBucketType: typeof gcp.storage.Bucket = gcp.storage.Bucket;
 */
export * as artifactregistry from "@pulumi/gcp/artifactregistry";
export * as bigquery from "@pulumi/gcp/bigquery";
export * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
export * as cloudscheduler from "@pulumi/gcp/cloudscheduler";
export * as monitoring from "@pulumi/gcp/monitoring";
export * as organizations from "@pulumi/gcp/organizations";
export * as projects from "@pulumi/gcp/projects";
export * as pubsub from "@pulumi/gcp/pubsub";
export * as secretmanager from "@pulumi/gcp/secretmanager";
export * as serviceaccount from "@pulumi/gcp/serviceaccount";
export * as storage from "@pulumi/gcp/storage";
export * as types from "@pulumi/gcp/types";
export * as workflows from "@pulumi/gcp/workflows";
export { Provider } from "@pulumi/gcp/provider";
