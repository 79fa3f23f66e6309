import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// `pulumi preview --policy-pack policy` (after `npm ci && npm run build` at the repository root; the pack is a workspace) enforces the project's rules.
new PolicyPack("cloudrun-pipelines", { policies: policies() });
