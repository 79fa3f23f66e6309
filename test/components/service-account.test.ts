import { expect } from "chai";
import { ServiceAccount } from "../../components/service-account";
import { errorOf, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

describe("ServiceAccount", () => {
  const recorder = useMockRuntime();

  it("creates an account with the given id and exposes its email and IAM member", async () => {
    const account = new ServiceAccount("extract-sa", { accountId: "dev-etl-extract", displayName: "ETL extract (dev)", description: "Runs extract." });
    await registered(recorder);
    expect(recorder.get("gcp:serviceaccount/account:Account", "extract-sa-account").inputs).to.deep.equal({
      accountId: "dev-etl-extract",
      displayName: "ETL extract (dev)",
      description: "Runs extract.",
    });
    expect(await promiseOf(account.email)).to.equal("dev-etl-extract@test-project.iam.gserviceaccount.com");
    expect(await promiseOf(account.member)).to.equal("serviceAccount:dev-etl-extract@test-project.iam.gserviceaccount.com");
  });

  it("uses an existing account as it is: nothing created, same outputs", async () => {
    const account = new ServiceAccount("ext", { email: "shared-etl@other.iam.gserviceaccount.com" });
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.custom)).to.deep.equal([]);
    expect(await promiseOf(account.member)).to.equal("serviceAccount:shared-etl@other.iam.gserviceaccount.com");
  });

  it("never the Compute Engine or App Engine default account; ids within GCP's 6-30 characters", () => {
    expect(errorOf(() => new ServiceAccount("a", { email: "123456-compute@developer.gserviceaccount.com" }))).to.equal(
      'ServiceAccount(a).email: "123456-compute@developer.gserviceaccount.com" is a default service account; give the workload its own account: omit the email to create one',
    );
    expect(errorOf(() => new ServiceAccount("b", { email: "my-proj@appspot.gserviceaccount.com" }))).to.match(
      /^ServiceAccount\(b\)\.email: .* is a default service account/,
    );
    for (const accountId of ["short", "a".repeat(31), "Dev-etl-extract", "1dev-etl", "dev-etl-"]) {
      expect(
        errorOf(() => new ServiceAccount("c", { accountId, displayName: "x" })),
        accountId,
      ).to.match(/^ServiceAccount\(c\)\.accountId: .* is not a valid account id/);
    }
    expect(errorOf(() => new ServiceAccount("d", { accountId: "dev-etl-load", displayName: "x".repeat(101) }))).to.match(
      /^ServiceAccount\(d\)\.displayName: is 101 characters long/,
    );
  });
  it("the created account is the component's only resource, parented to it", async () => {
    new ServiceAccount("extract-sa", { accountId: "dev-etl-extract", displayName: "ETL extract" });
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.custom).map((r) => [r.type, r.name])).to.deep.equal([["gcp:serviceaccount/account:Account", "extract-sa-account"]]);
    expect(recorder.get("gcp:serviceaccount/account:Account", "extract-sa-account").parent).to.equal(
      recorder.get("pipelines:gcp:ServiceAccount", "extract-sa").urn,
    );
  });

  it("an existing email passes through to email and member unchanged", async () => {
    const account = new ServiceAccount("ext", { email: "shared-etl@other.iam.gserviceaccount.com" });
    expect(await promiseOf(account.email)).to.equal("shared-etl@other.iam.gserviceaccount.com");
    expect(await promiseOf(account.member)).to.equal("serviceAccount:shared-etl@other.iam.gserviceaccount.com");
  });

  it("the Compute default (123-compute@developer.gserviceaccount.com) is rejected, declaring nothing", async () => {
    expect(errorOf(() => new ServiceAccount("a", { email: "123-compute@developer.gserviceaccount.com" }))).to.equal(
      'ServiceAccount(a).email: "123-compute@developer.gserviceaccount.com" is a default service account; give the workload its own account: omit the email to create one',
    );
    expect(errorOf(() => new ServiceAccount("b", { email: "p@appspot.gserviceaccount.com" }))).to.equal(
      'ServiceAccount(b).email: "p@appspot.gserviceaccount.com" is a default service account; give the workload its own account: omit the email to create one',
    );
    expect(errorOf(() => new ServiceAccount("c", { accountId: "abcde", displayName: "x" }))).to.equal(
      'ServiceAccount(c).accountId: "abcde" is not a valid account id; use 6-30 lowercase letters, digits and hyphens, starting with a letter',
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });

  it("account ids at the limits: 6 and 30 characters are accepted", async () => {
    new ServiceAccount("six", { accountId: "abcdef", displayName: "x" });
    new ServiceAccount("thirty", { accountId: "a".repeat(30), displayName: "x" });
    await registered(recorder);
    expect(recorder.get("gcp:serviceaccount/account:Account", "six-account").inputs.accountId).to.equal("abcdef");
    expect(recorder.get("gcp:serviceaccount/account:Account", "thirty-account").inputs.accountId).to.equal("a".repeat(30));
  });
});
