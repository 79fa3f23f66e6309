// Whole-process measurements for the benchmarks: wall time, and CPU time (user + sys) of the child processes,
// which stays meaningful on a shared, busy machine where wall time does not.
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import { performance } from "perf_hooks";

/** Wall and CPU seconds of one child process, with its exit status and output. */
export interface Measured {
  readonly wallS: number;
  readonly cpuS: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * CPU seconds (user + sys) of this process's waited-for children so far (Linux: `/proc/self/stat` fields 16 cutime and 17
 * cstime, in clock ticks; src: https://kb.novaordis.com/index.php?diff=prev&oldid=38796&title=%2Fproc%2Fpid%2Fstat).
 */
function childrenCpuS(): number {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  // Fields after the command: state is index 0, so cutime and cstime (fields 16 and 17 of stat(5)) are 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks: USER_HZ is 100 on Linux
}

/** Runs a command to completion and measures it. */
export function measure(command: string, args: string[], options: SpawnSyncOptions = {}): Measured {
  const cpu = childrenCpuS();
  const start = performance.now();
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  return {
    wallS: (performance.now() - start) / 1000,
    cpuS: childrenCpuS() - cpu,
    status: result.status,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds of the benchmarks (`BENCH_ROUNDS`, default `fallback`). */
export function rounds(fallback: number): number {
  const n = Number(process.env.BENCH_ROUNDS ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ROUNDS "${process.env.BENCH_ROUNDS}" is not a whole number >= 1`);
  return n;
}

/** The 1-minute load average, to print beside wall times (on 2 cores, a load above 2 stretches wall time, not CPU time). */
export function load(): string {
  return `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
}
