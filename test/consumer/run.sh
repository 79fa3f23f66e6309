#!/usr/bin/env bash
# The consumer test (`bash test/consumer/run.sh`, run by .ci/run before the tests): the packages as a user installs them.
# It packs every publishable workspace (@cloudrun-pipelines/components, cloudrun-pipelines), lays a fresh project down
# from the template (examples/own-pipeline, as `pulumi new` would: scaffold.js) in a temporary folder outside the
# checkout, installs into it what a user installs (the template's dependencies from the npm registry, then the two
# tarballs), and there, with the project's own tools only:
#   - type-checks it under strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes and module nodenext (its
#     tsconfig.json, checked to set them), the packages' declaration files included, and every TSDoc example of the
#     components against the installed package under the same flags;
#   - loads the program as Pulumi's Node.js host compiles it (the project's ts-node and typescript registered with its
#     tsconfig, type check on) and runs it under Pulumi's mock runtime (load-program.js);
#   - runs `npx cloudrun-pipelines preview` and checks the plan's resources and outputs, the guardrails and the
#     deploy rehearsal; runs `npx cloudrun-pipelines job run` on the outputs it wrote, against a fake Cloud Run Admin
#     API on loopback, and `npx cloudrun-pipelines job --help`;
#   - checks that one copy of @pulumi/pulumi is installed, and prints the install size of node_modules, after the
#     template's own dependencies, after the components and after the CLI, failing above 350 MiB in all.
# Needs the packages built (`npm run build`: npm pack runs each package's `prepack`, `tsc -b`, which is then a no-op)
# and the npm registry. Its last line is `consumer: N passed, N failed`. No step has a time limit of its own.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/test/consumer"
MAX_MIB=350
work="$(mktemp -d "${TMPDIR:-/tmp}/cloudrun-pipelines-consumer.XXXXXX")"
fake=""
trap 'if [ -n "$fake" ]; then kill "$fake" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
app="$work/app"
passed=0
# A step that fails outside `check` (an install, the preview exiting non-zero) stops the test the same way.
trap 'echo "consumer: FAILED: $BASH_COMMAND (line $LINENO)" >&2; echo "consumer: $passed passed, 1 failed"' ERR

# check NAME COMMAND...: runs COMMAND, counts it, or stops the test naming what failed.
check() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "consumer: ok: $name"
  else
    echo "consumer: FAILED: $name" >&2
    echo "consumer: $passed passed, 1 failed"
    exit 1
  fi
}
size() { du -sm "$app/node_modules" | cut -f1; }
# How the checkout's own TypeScript runs, from any folder (tools/run-ts.ts `RUN_TS`).
run_ts=(node -C @cloudrun-pipelines/source -r "$repo/tools/register-ts.js")

mkdir -p "$work/packs"
(cd "$repo" && npm pack -w components -w cli --pack-destination "$work/packs" --silent) >/dev/null
components="$(ls "$work"/packs/cloudrun-pipelines-components-*.tgz)"
cli="$(ls "$work"/packs/cloudrun-pipelines-[0-9]*.tgz)"

node "$here/scaffold.js" "$repo/examples/own-pipeline" "$app" >/dev/null
cp "$app/package.json" "$work/template-package.json"
cd "$app"
# The npm registry as CI reaches it serves @google-cloud/pubsub 6.3.2 (the CLI's ^6.3.0 picks it), but not the
# @google-cloud/pubsub-api@^0.7.0 it depends on (ETARGET: its newest there is 0.3.0), so a fresh resolution fails; the
# project is held to the version this repository's lockfile resolved (6.3.0), as the root's `npm ci` is. Where the
# registry serves pubsub-api 0.7, a user needs no such override (UNVERIFIED: no such registry is reachable here).
pubsub="$(node -p 'require(process.argv[1]).packages["node_modules/@google-cloud/pubsub"].version' "$repo/package-lock.json")"
npm pkg set "overrides.@google-cloud/pubsub=$pubsub"

# What the template needs of its own, then each package, so each one's share of the install is measured.
npm pkg delete "dependencies.@cloudrun-pipelines/components" "devDependencies.cloudrun-pipelines"
npm install --no-audit --no-fund --silent
base="$(size)"
npm install --no-audit --no-fund --silent "$components"
with_components="$(size)"
npm install --no-audit --no-fund --silent --save-dev "$cli"
total="$(size)"
check "package.json declares what the template's does" node "$here/check.js" package package.json "$work/template-package.json"

npx tsc --showConfig >"$work/tsconfig.json"
check "tsconfig.json: strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, nodenext" node "$here/check.js" tsconfig "$work/tsconfig.json"
check "npx tsc --noEmit --skipLibCheck false" npx tsc --noEmit --skipLibCheck false
# The components' TSDoc examples (examples.ts), compiled against the installed package under the same flags.
examples="$("${run_ts[@]}" "$here/examples.ts" "$app/examples")"
echo '{ "extends": "./tsconfig.json", "files": [], "include": ["examples/*.ts"] }' >"$app/tsconfig.examples.json"
check "the components' $examples TSDoc examples: npx tsc --noEmit -p tsconfig.examples.json" npx tsc --noEmit -p tsconfig.examples.json

node "$here/load-program.js" "$app" dev >"$work/load.json"
check "the program, compiled by the project's ts-node (type-checked), runs under the mock runtime" node "$here/check.js" load "$work/load.json" "$app"

npx cloudrun-pipelines preview --stack dev --json - --outputs "$work/outputs.json" >"$work/plan.json" 2>"$work/preview.txt"
check "npx cloudrun-pipelines preview --stack dev --json -: the plan alone on stdout, its resources, outputs, violations, rehearsal" node "$here/check.js" preview "$work/plan.json" "$work/preview.txt" "$app"

# The run, on the stack outputs the preview wrote, against a fake Cloud Run Admin API on loopback (fake-cloud-run.ts),
# run from the checkout; its first line, read through a FIFO, is its address once it listens.
mkfifo "$work/fake-host"
"${run_ts[@]}" "$here/fake-cloud-run.ts" dev-validate >"$work/fake-host" &
fake=$!
read -r host <"$work/fake-host"
CLOUD_RUN_EMULATOR_HOST="$host" npx cloudrun-pipelines job --outputs "$work/outputs.json" --json run validate >"$work/run.json"
check "npx cloudrun-pipelines job --outputs FILE run validate: succeeded" node "$here/check.js" run "$work/run.json"
kill "$fake"
wait "$fake" || true
fake=""

npx cloudrun-pipelines job --help >"$work/help.txt"
check "npx cloudrun-pipelines job --help" node "$here/check.js" help "$work/help.txt"

copies="$(find node_modules -path '*/@pulumi/pulumi/package.json' | wc -l)"
check "one copy of @pulumi/pulumi ($copies)" test "$copies" -eq 1

echo "consumer: node_modules: ${base} MiB the template's own dependencies, +$((with_components - base)) MiB @cloudrun-pipelines/components, +$((total - with_components)) MiB cloudrun-pipelines: ${total} MiB (at most ${MAX_MIB})"
check "node_modules ${total} MiB <= ${MAX_MIB} MiB" test "$total" -le "$MAX_MIB"
echo "consumer: $passed passed, 0 failed"
