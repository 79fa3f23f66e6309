/**
 * Google's published location lists, as read from the stored copies of the pages cited (2026). A stale list is
 * better than none: a location Google adds later is refused until it is added here, or until the stack sets
 * `cloudrun-pipelines:allowUnlistedLocation: "true"`.
 */

/** Regions of Cloud Run services and jobs, Tier 1 and Tier 2 (src: https://cloud.google.com/run/docs/locations). */
export const CLOUD_RUN_REGIONS: ReadonlySet<string> = new Set([
  // Tier 1
  "asia-east1", "asia-northeast1", "asia-northeast2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west4", "europe-west8", "europe-west9",
  "me-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1",
  // Tier 2
  "africa-south1", "asia-east2", "asia-northeast3", "asia-southeast1", "asia-southeast2", "asia-south1", "asia-south2", "australia-southeast1",
  "australia-southeast2", "europe-central2", "europe-west10", "europe-west12", "europe-west2", "europe-west3", "europe-west6", "me-central1", "me-central2",
  "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "us-west2", "us-west3", "us-west4",
]);

/**
 * BigQuery dataset locations: the multi-regions `US` and `EU` and the regions of the Americas, Asia Pacific, Europe
 * and the Middle East tables (src: https://cloud.google.com/bigquery/docs/locations). `africa-south1` is listed from
 * the page's Africa table, which the stored copy cut short: UNVERIFIED.
 */
export const BIGQUERY_LOCATIONS: ReadonlySet<string> = new Set([
  "US", "EU",
  "us-east5", "us-south1", "us-central1", "us-west4", "us-west2", "northamerica-south1", "northamerica-northeast1", "us-east4", "us-west1", "us-west3",
  "southamerica-west1", "southamerica-east1", "us-east1", "northamerica-northeast2",
  "asia-south2", "asia-east2", "asia-southeast2", "australia-southeast2", "asia-south1", "asia-northeast2", "asia-northeast3", "asia-southeast1",
  "australia-southeast1", "asia-east1", "asia-northeast1",
  "europe-west1", "europe-west10", "europe-north1", "europe-west3", "europe-west2", "europe-southwest1", "europe-west8", "europe-west4", "europe-west9",
  "europe-north2", "europe-west12", "europe-central2", "europe-west6",
  "me-central2", "me-central1", "me-west1",
  "africa-south1",
]);
