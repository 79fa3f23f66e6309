import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// `pulumi preview --policy-pack policy` (after `npm install` in this folder) enforces the project's rules.
new PolicyPack("cloudrun-pipelines", { policies: policies() });
