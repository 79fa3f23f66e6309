import { FakeCloudRun } from "../../tools/fake-cloud-run";

// `node <tools/run-ts.ts's RUN_TS> test/consumer/fake-cloud-run.ts JOB...`: the consumer test's stand-in for Cloud Run.
// Serves tools/fake-cloud-run.ts (the Admin API v2 from the protos @google-cloud/run ships, so the installed client
// speaks the real wire format) on a free loopback port, with JOB... (short names) as the jobs that exist, each
// execution succeeding on its first poll; prints its `host:port` on stdout once it listens, then serves until SIGTERM.
async function main(jobs: string[]): Promise<void> {
  const fake = new FakeCloudRun();
  fake.jobs = new Set(jobs);
  process.stdout.write(`${await fake.start()}\n`);
  process.once("SIGTERM", () => void fake.stop());
}

void main(process.argv.slice(2));
