// `npm run bench`: runs every bench/*.bench.ts in its own process, one after the other.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

for (const file of fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort()) {
  console.log(`\n== ${file}`);
  execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, file)], { stdio: "inherit" });
}
