#!/usr/bin/env node
// The runner as a command (`npx cloudrun-job ...`, or `npm link`): loads the TypeScript CLI through ts-node.
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
require("./cli.ts").runFromProcess();
