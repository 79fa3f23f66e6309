#!/usr/bin/env node
// The runner as a command (`npx cloudrun-job ...`, or `npm link`): loads the TypeScript CLI as the npm scripts do.
require("../tools/register-ts.js");
require("../cli/src/runner/cli").runFromProcess();
