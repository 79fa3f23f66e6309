// `npm run bench`: runs every bench/*.bench.ts in its own process, one after the other.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RUN_TS } from "../tools/run-ts";

for (const file of fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort()) {
  console.log(`\n== ${file}`);
  execFileSync(process.execPath, [...RUN_TS, path.join(__dirname, file)], { stdio: "inherit" });
}
