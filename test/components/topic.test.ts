import { expect } from "chai";
import { CloudRunJob } from "../../components/cloud-run-job";
import { Topic, TOPIC_PUBLISH_ROLE } from "../../components/topic";
import { errorOf, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { JOB, jobArgs, jobContainer, TOPIC, TOPIC_MEMBER } from "./fixtures";

const JOB_EMAIL = "dev-etl-score@test-project.iam.gserviceaccount.com";

describe("Topic", () => {
  const recorder = useMockRuntime();

  it("declares the Pub/Sub topic exactly (only its name, no retention by default), with its full id and short name as outputs", async () => {
    const topic = new Topic("results", { topicName: "dev-results" });
    const resources = await registered(recorder);
    expect(recorder.get(TOPIC, "results-topic").inputs).to.deep.equal({ name: "dev-results" });
    expect(resources.filter((r) => r.custom).map((r) => [r.type, r.name])).to.deep.equal([[TOPIC, "results-topic"]]);
    expect(await promiseOf(topic.id)).to.equal("projects/test-project/topics/dev-results");
    expect(await promiseOf(topic.name)).to.equal("dev-results");
  });

  it("message retention becomes the protobuf duration in seconds, at both ends of the allowed range (10 minutes, 31 days)", async () => {
    new Topic("short", { topicName: "dev-short", messageRetention: "10 minutes" });
    new Topic("long", { topicName: "dev-long", messageRetention: "31 days" });
    await registered(recorder);
    expect(recorder.get(TOPIC, "short-topic").inputs).to.deep.equal({ name: "dev-short", messageRetentionDuration: "600s" });
    expect(recorder.get(TOPIC, "long-topic").inputs).to.deep.equal({ name: "dev-long", messageRetentionDuration: "2678400s" });
  });

  it("publish: exactly one grant, roles/pubsub.publisher on this topic, and the topic's full id in envName", async () => {
    const topic = new Topic("results", { topicName: "dev-results", envName: "RESULT_TOPIC" });
    const link = topic.publish;
    expect(TOPIC_PUBLISH_ROLE).to.equal("roles/pubsub.publisher");
    expect(link.grants.map((g) => [g.key, g.role, g.scope])).to.deep.equal([["results-publisher", "roles/pubsub.publisher", "topic results"]]);
    expect(Object.keys(link.env)).to.deep.equal(["RESULT_TOPIC"]);
    expect(await promiseOf(topic.id)).to.equal("projects/test-project/topics/dev-results");
    link.grants[0].bind("p", "serviceAccount:sa@test-project.iam.gserviceaccount.com", {});
    await registered(recorder);
    expect(recorder.get(TOPIC_MEMBER, "p").inputs).to.deep.equal({
      topic: "projects/test-project/topics/dev-results",
      role: "roles/pubsub.publisher",
      member: "serviceAccount:sa@test-project.iam.gserviceaccount.com",
    });
  });

  it("publish without envName sets no variable", () => {
    const topic = new Topic("events", { topicName: "dev-events" });
    expect(topic.publish.env).to.deep.equal({});
    expect(topic.publish.grants).to.have.length(1);
  });

  it("a job linked with publish gets RESULT_TOPIC = the topic's id and exactly one IAM member (publisher on that topic), granted before the job exists", async () => {
    const topic = new Topic("results", { topicName: "dev-results", envName: "RESULT_TOPIC" });
    new CloudRunJob("score", jobArgs("dev-etl-score", { links: [topic.publish] }));
    const resources = await registered(recorder);
    const job = recorder.get(JOB, "score-job");
    const envs = jobContainer(job).envs;
    expect(envs).to.deep.equal([{ name: "RESULT_TOPIC", value: "projects/test-project/topics/dev-results" }]);
    const members = resources.filter((r) => /IamMember|IAMMember/.test(r.type));
    expect(members.map((m) => [m.type, m.name, m.inputs])).to.deep.equal([
      [
        TOPIC_MEMBER,
        "score-results-publisher",
        { topic: "projects/test-project/topics/dev-results", role: "roles/pubsub.publisher", member: `serviceAccount:${JOB_EMAIL}` },
      ],
    ]);
    expect(job.dependencies).to.include(members[0].urn);
  });

  const invalid: [string, ConstructorParameters<typeof Topic>[1], RegExp][] = [
    ["an upper-case topic id", { topicName: "Dev-Results" }, /^Topic\(t\)\.topicName: "Dev-Results" is not a valid topic id/],
    ["a topic id starting with goog", { topicName: "goog-results" }, /^Topic\(t\)\.topicName: "goog-results" is not a valid topic id/],
    ["a two-character topic id", { topicName: "ab" }, /^Topic\(t\)\.topicName: "ab" is not a valid topic id/],
    [
      "an env name that is no variable",
      { topicName: "dev-results", envName: "result-topic" },
      /^Topic\(t\)\.envName: "result-topic" is not an environment variable name/,
    ],
    [
      "a retention under 10 minutes",
      { topicName: "dev-results", messageRetention: "9 minutes" },
      /^Topic\(t\)\.messageRetention: "9 minutes" is out of range; use 10 minutes to 31 days$/,
    ],
    [
      "a retention over 31 days",
      { topicName: "dev-results", messageRetention: "32 days" },
      /^Topic\(t\)\.messageRetention: "32 days" is out of range; use 10 minutes to 31 days$/,
    ],
  ];
  for (const [what, args, message] of invalid) {
    it(`rejects ${what}, declaring nothing`, async () => {
      expect(errorOf(() => new Topic("t", args))).to.match(message);
      expect(await registered(recorder)).to.deep.equal([]);
    });
  }
});
