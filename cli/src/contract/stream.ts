import { z } from "zod";

/**
 * The streaming pipeline's wire format, as its requesters see it: the trip request a backend publishes and the
 * attribute that pairs a request with its answer. The stream service (images/stream) keeps its own copy, since the
 * published CLI cannot depend on the private image packages; test/cli/contract/stream.test.ts checks that the two accept and refuse the same
 * requests and use the same attribute.
 */

/** The message attribute that carries the correlation id, on the request and on its answer. */
export const CORRELATION_ATTRIBUTE = "correlationId";

/** An IATA airport code: three capital letters, e.g. `SFO`. */
const airport = z.string().regex(/^[A-Z]{3}$/, "expected a three-letter IATA airport code, e.g. SFO");

/** Whether `YYYY-MM-DDTHH:MM` names a date and time that exists (no 2001-02-30, no 24:00). */
function exists(text: string): boolean {
  const [y, mo, d, h, mi] = text.split(/[-T:]/).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d && h <= 23 && mi <= 59;
}

/**
 * A trip request, the JSON a backend publishes to the request topic:
 * `{ "origin": "SFO", "destination": "LAX", "distance": 337, "departure": "2001-01-01T08:30" }`.
 * - `distance`: statute miles, more than 0 and at most 5,000.
 * - `departure`: scheduled departure, local clock time at the origin, `YYYY-MM-DDTHH:MM` with no zone; the date
 *   must exist.
 * Other keys are ignored. The service answers a request it would refuse with an error answer naming the field.
 * @example
 * const parsed = tripRequest.safeParse({ origin: "SFO", destination: "LAX", distance: 337, departure: "2001-01-01T08:30" });
 * if (!parsed.success) console.error(parsed.error.issues[0].path.join("."), parsed.error.issues[0].message);
 */
export const tripRequest = z
  .object({
    origin: airport,
    destination: airport,
    distance: z.number().positive().max(5000),
    departure: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "expected a local date and time YYYY-MM-DDTHH:MM, e.g. 2001-01-01T08:30")
      .refine(exists, "no such date or time"),
  })
  .refine((r) => r.origin !== r.destination, { message: "origin and destination are the same airport", path: ["destination"] });

export type TripRequest = z.infer<typeof tripRequest>;
