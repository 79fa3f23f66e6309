// `node scaffold.js TEMPLATE_DIR DEST_DIR`: lays a project down from a Pulumi template as `pulumi new TEMPLATE_DIR
// --yes --generate-only` would in DEST_DIR, for the consumer test (there is no Pulumi CLI on CI's machine). What it
// copies and rewrites, read in pulumi/pulumi:
// - every file of the template, with `${PROJECT}` and `${DESCRIPTION}` replaced in each (sdk/go/common/workspace
//   templates.go `CopyTemplateFiles`, `transform`; https://github.com/pulumi/templates#text-replacement);
// - the project name: the template's own `name` unless it is `${PROJECT}`, as `--yes` accepts the default offered
//   (pkg/cmd/pulumi/newcmd/new.go `runNew`: `ValueOrSanitizedDefaultProjectName(args.name, template.ProjectName,
//   filepath.Base(cwd))`); the description likewise: the template's `description`, else `template.description`
//   (`ValueOrDefaultProjectDescription`);
// - Pulumi.yaml saved with that name and description, its `template:` section removed and the stack tag
//   `pulumi:template` added to `config: pulumi:tags` (new.go `runNew`; sdk/go/common/workspace/project.go
//   `AddConfigStackTags`). `pulumi new` then writes its answers to `template.config` into the stack's file
//   (newcmd/config.go `promptForConfig`, `SaveConfig`); the template's Pulumi.dev.yaml already holds them for `dev`.
// Prints the project's name.
const fs = require("fs");
const path = require("path");
const { parseDocument } = require("yaml");

const [template, dest] = process.argv.slice(2).map((p) => path.resolve(p));
const source = parseDocument(fs.readFileSync(path.join(template, "Pulumi.yaml"), "utf8"));
const placeholder = (value, fallback) => (typeof value === "string" && value !== "" && !value.includes("${") ? value : fallback);
const name = placeholder(source.get("name"), path.basename(dest));
const description = placeholder(source.get("description"), source.getIn(["template", "description"]));

fs.mkdirSync(dest, { recursive: true });
for (const file of fs.readdirSync(template)) {
  const text = fs.readFileSync(path.join(template, file), "utf8");
  fs.writeFileSync(path.join(dest, file), text.replaceAll("${PROJECT}", name).replaceAll("${DESCRIPTION}", description));
}
const project = parseDocument(fs.readFileSync(path.join(dest, "Pulumi.yaml"), "utf8"));
project.set("name", name);
project.set("description", description);
project.delete("template");
project.setIn(["config", "pulumi:tags", "value", "pulumi:template"], template);
fs.writeFileSync(path.join(dest, "Pulumi.yaml"), project.toString());
process.stdout.write(`${name}\n`);
