import * as grpc from "@grpc/grpc-js";
import { Entry } from "@google-cloud/logging";
import type { Duplex } from "stream";
import { ApiLogEntry, LogClient } from "./client";
import { Timing } from "./timing";
import { readableLogLine } from "../local/log-line";

/**
 * The log filter of one execution's container logs: Cloud Run labels every job log entry with the execution's
 * name (the filter gcloud's `run jobs executions logs` uses, runner-anchors.md §1; resource type `cloud_run_job`,
 * src: https://docs.cloud.google.com/run/docs/logging) and the task's index (`run.googleapis.com/task_index`,
 * as Google's own logging library sets it for jobs: googleapis/python-logging
 * `google/cloud/logging_v2/handlers/_monitored_resources.py`). System logs (`varlog/system`) are left out.
 */
export function executionFilter(jobName: string, region: string, execution: string): string {
  const short = execution.split("/").pop();
  return [
    'resource.type = "cloud_run_job"',
    `resource.labels.job_name = "${jobName}"`,
    `resource.labels.location = "${region}"`,
    `labels."run.googleapis.com/execution_name" = "${short}"`,
    'NOT LOG_ID("run.googleapis.com/varlog/system")',
  ].join(" AND ");
}

/**
 * The filter of one pipeline run's logs across its steps, and its Logs Explorer link: the images label every
 * line with the run id (`logging.googleapis.com/labels` becomes the entry's labels, src:
 * https://cloud.google.com/logging/docs/structured-logging). The link's `;query=` form is the one Google's
 * Grafana plugin builds (GoogleCloudPlatform/cloud-logging-data-source-plugin src/QueryEditor.tsx), scoped to
 * the stack's log view when there is one (`;storageScope=storage,<view>`, same source), the only logs a runner
 * without a project-wide logging role can open.
 */
export function runLogs(project: string, runId: string, logView?: string): { filter: string; url: string } {
  const filter = `resource.type = "cloud_run_job" AND labels.run_id = "${runId}"`;
  const scope = logView ? `;storageScope=storage,${encodeURIComponent(logView)}` : "";
  return { filter, url: `https://console.cloud.google.com/logs/query;query=${encodeURIComponent(filter)}${scope}?project=${project}` };
}

/** `LogSeverity` by number / 100 (src: googleapis/googleapis google/logging/type/log_severity.proto: DEFAULT 0, DEBUG 100, ... EMERGENCY 800). */
const SEVERITIES = ["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"];
const severityName = (s: ApiLogEntry["severity"]) => (typeof s === "number" ? (SEVERITIES[s / 100] ?? String(s)) : (s ?? "DEFAULT"));

const timestampOf = (e: ApiLogEntry) => {
  const seconds = Number(e.timestamp?.seconds ?? 0);
  const nanos = e.timestamp?.nanos ?? 0;
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(nanos).padStart(9, "0")}Z`;
};

/**
 * One entry as a line, after `[<prefix>task <i>] `: on a terminal (`pretty`), `HH:MM:SS SEVERITY message {fields}`
 * ({@link readableLogLine}); otherwise one JSON object, `{"timestamp", "severity", ...}` then the structured payload's
 * fields (its `message` is the field Cloud Logging shows as the entry's summary), or `message` holding a plain payload.
 */
export function formatEntry(entry: ApiLogEntry, prefix = "", pretty = false): string {
  const task = entry.labels?.["run.googleapis.com/task_index"];
  const payload =
    entry.textPayload !== undefined && entry.textPayload !== null
      ? { message: entry.textPayload.replace(/\n+$/, "") }
      : entry.jsonPayload
        ? (Entry.fromApiResponse_({ ...entry, payload: "jsonPayload" } as never).data as Record<string, unknown>)
        : { message: "" };
  // The entry's own time and severity, first, over any the payload still holds.
  const own = { timestamp: timestampOf(entry), severity: severityName(entry.severity) };
  const line = Object.assign({ ...own }, payload, own);
  return `[${prefix}${task !== undefined ? `task ${task}` : "-"}] ${pretty ? readableLogLine(line) : JSON.stringify(line)}\n`;
}

/** How logs are followed. */
export interface FollowOptions {
  client: LogClient;
  /** Where to read: `projects/<p>`, or a log view `projects/<p>/locations/global/buckets/_Default/views/<v>`. */
  resourceNames: string[];
  filter: string;
  /** Before `task <i>`, e.g. `extract ` in a pipeline. */
  prefix?: string;
  /** Readable lines for a terminal; else one JSON object per line ({@link formatEntry}). @default false */
  pretty?: boolean;
  write(text: string): void;
  timing: Timing;
  /** How long lines that arrive after the execution ended are still waited for. @default 5000 */
  graceMs?: number;
  /** Between two ListLogEntries where tail is unavailable (the API allows 60 reads per minute). @default 5000 */
  listEveryMs?: number;
}

const STOP = Symbol("stop");

/**
 * Streams the entries that match `filter` to `write` while an execution runs: TailLogEntries (the live tail),
 * resumed after a drop with a ListLogEntries of what was missed since the last line; ListLogEntries every
 * `listEveryMs` where tail is unavailable (UNIMPLEMENTED) or denied (PERMISSION_DENIED): the tail needs
 * `logging.logEntries.list` or `logging.privateLogEntries.list` (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/tail,
 * "Authorization"), which `roles/logging.viewAccessor`, the role runners hold on the stack's log view, lacks
 * (iann0036/iam-dataset `gcp/roles/logging.viewAccessor.json`: `logging.views.access`, `views.listLogs`, …), while
 * ListLogEntries through the view is what that role grants (https://cloud.google.com/logging/docs/logs-views).
 * No entry is printed twice (insert id and timestamp). A failure of ListLogEntries itself (permission denied
 * there too, or any other error) prints one warning and stops following; the run goes on.
 * `stop()` waits `graceMs` for late lines (not with `stop(false)`, after Ctrl-C), closes the tail, and reads what
 * is left with one last list.
 */
export function followLogs(options: FollowOptions): { stop(grace?: boolean): Promise<void> } {
  const { client, timing } = options;
  const seen = new Set<string>();
  let last: string | undefined;
  let stopped = false;
  let failed = false;
  let stream: (Duplex & { cancel?(): void }) | undefined;
  let wake: () => void = () => undefined;
  const woken = () => new Promise<typeof STOP>((resolve) => (wake = () => resolve(STOP)));

  const print = (entries: readonly ApiLogEntry[]) => {
    for (const entry of entries) {
      const key = `${entry.insertId ?? ""}|${timestampOf(entry)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (last === undefined || timestampOf(entry) > last) last = timestampOf(entry);
      options.write(formatEntry(entry, options.prefix, options.pretty));
    }
  };
  const warn = (err: unknown) => {
    if (failed) return;
    failed = true;
    const code = (err as { code?: number }).code;
    const name = code !== undefined ? grpc.status[code] : "ERROR";
    const hint = code === grpc.status.PERMISSION_DENIED ? " (ask for roles/logging.viewAccessor on the stack's log view: docs/runner.md)" : "";
    options.write(
      `warning: cannot read the execution's logs: ${name}: ${(err as { details?: string }).details ?? String(err)}${hint}; the run goes on without them\n`,
    );
  };
  const list = async () => {
    const filter = last === undefined ? options.filter : `${options.filter} AND timestamp >= "${last}"`;
    try {
      const [entries] = await client.listLogEntries({ resourceNames: options.resourceNames, filter, orderBy: "timestamp asc" }, { autoPaginate: true });
      print(entries);
    } catch (err) {
      warn(err);
    }
  };
  /** One tail session: resolves with the error that ended it (undefined when it just ended). */
  const tail = () =>
    new Promise<unknown>((resolve) => {
      stream = client.tailLogEntries();
      stream.on("data", (response: { entries?: ApiLogEntry[] }) => print(response.entries ?? []));
      stream.on("error", (err) => resolve(err));
      stream.on("end", () => resolve(undefined));
      stream.write({ resourceNames: options.resourceNames, filter: options.filter });
    });

  const loop = (async () => {
    let tailing = true;
    while (!stopped && !failed) {
      if (tailing) {
        const err = await tail();
        const code = (err as { code?: number } | undefined)?.code;
        if (code === grpc.status.UNIMPLEMENTED || code === grpc.status.PERMISSION_DENIED) tailing = false;
        else if (code === grpc.status.INVALID_ARGUMENT || code === grpc.status.NOT_FOUND) {
          warn(err);
          break;
        } else if (!stopped) await Promise.race([timing.sleep(timing.retryMs), woken()]);
        if (stopped) break;
      }
      // After a drop, read what the tail missed before opening it again; without tail, this is the poll.
      await list();
      if (!tailing && !stopped) await Promise.race([timing.sleep(options.listEveryMs ?? 5000), woken()]);
    }
  })();

  return {
    async stop(grace = true) {
      if (!failed && grace) await timing.sleep(options.graceMs ?? 5000);
      stopped = true;
      stream?.cancel?.();
      stream?.end();
      wake();
      await loop;
      if (!failed) await list();
    },
  };
}

/** `--logs`: stream an execution's container log lines to stderr while waiting. */
export interface LogsOption {
  /** Where to read logs: the stack's log view, else `projects/<project>`. */
  resourceNames: string[];
  /** Before `task <i>` on every line, e.g. `extract ` in a pipeline. */
  prefix?: string;
  /** How long lines arriving after the end are waited for. @default 5000 */
  graceMs?: number;
}

/**
 * Follows the log lines of `execution` of `job` ({@link followLogs} with {@link executionFilter}), written to
 * `io.err`, readable when `io.isTTY`.
 */
export function followExecution(
  client: LogClient,
  logs: LogsOption,
  job: { jobName: string; region: string },
  execution: string,
  io: { err: (text: string) => void; isTTY: boolean },
  timing: Timing,
): { stop(grace?: boolean): Promise<void> } {
  return followLogs({
    client,
    resourceNames: logs.resourceNames,
    filter: executionFilter(job.jobName, job.region, execution),
    prefix: logs.prefix,
    write: io.err,
    pretty: io.isTTY,
    timing,
    graceMs: logs.graceMs,
  });
}
