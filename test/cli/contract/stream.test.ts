import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { CORRELATION_ATTRIBUTE, tripRequest } from "../../../cli/src/contract/stream";
import { parsePush, tripRequest as serviceTripRequest } from "../../../images/stream/src/request";
import { ROOT } from "../../helpers/typecheck";

// The client's wire types (contract/stream.ts) and the stream service's own copy (images/stream, built from its own
// Docker context) must accept and refuse the same requests, with the same first complaint.
const SAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, "images/stream/sample/request.json"), "utf8")) as unknown;
const CASES: Record<string, unknown> = {
  "the service's sample": SAMPLE,
  "extra keys": { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30", note: "x" },
  "lowercase airport": { origin: "sfo", destination: "LAX", distance: 337, departure: "2001-01-01T08:30" },
  "same airports": { origin: "SFO", destination: "SFO", distance: 337, departure: "2001-01-01T08:30" },
  "zero distance": { origin: "SFO", destination: "LAX", distance: 0, departure: "2001-01-01T08:30" },
  "distance over 5,000": { origin: "SFO", destination: "LAX", distance: 5000.5, departure: "2001-01-01T08:30" },
  "distance of 5,000": { origin: "SFO", destination: "LAX", distance: 5000, departure: "2001-01-01T08:30" },
  "February 30th": { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-02-30T08:30" },
  "February 29th of a leap year": { origin: "SFO", destination: "LAX", distance: 337, departure: "2004-02-29T08:30" },
  "24:00": { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T24:00" },
  "23:59": { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T23:59" },
  "minute 60": { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:60" },
  "a zone": { origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30Z" },
  "distance as text": { origin: "SFO", destination: "LAX", distance: "337", departure: "2001-01-01T08:30" },
  "no destination": { origin: "SFO", distance: 337, departure: "2001-01-01T08:30" },
  "not an object": [1, 2],
};

describe("contract: the stream client's wire types agree with the stream service's", () => {
  for (const [name, request] of Object.entries(CASES)) {
    it(`${name}: both accept, or both refuse at the same field with the same message`, () => {
      const client = tripRequest.safeParse(request);
      const service = serviceTripRequest.safeParse(request);
      expect(client.success, "client").to.equal(service.success);
      expect(client.data).to.deep.equal(service.data);
      const first = (r: typeof client) => r.error && { path: r.error.issues[0].path, message: r.error.issues[0].message };
      expect(first(client)).to.deep.equal(first(service));
    });
  }

  it("the sample is accepted and an invalid date refused (so the table above can fail)", () => {
    expect(tripRequest.safeParse(SAMPLE).success).to.equal(true);
    expect(tripRequest.safeParse(CASES["February 30th"]).success).to.equal(false);
  });

  it(`the service reads the correlation id from the ${CORRELATION_ATTRIBUTE} attribute the client sets`, () => {
    const body = JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(SAMPLE)).toString("base64"), attributes: { [CORRELATION_ATTRIBUTE]: "c-1" }, messageId: "m-1" },
    });
    expect(parsePush(body).correlationId).to.equal("c-1");
  });
});
