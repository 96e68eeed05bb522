// The GPU lease takeover rule over every combination of who holds it, whether that holder runs,
// whether it confirmed, and whether this machine already watched it unchanged for its duration.
import { describe, expect, it } from "vitest";
import { judgeLease, type LeaseVerdict } from "../../src/cluster/leases.js";

const me = "lab/gaming-live";
const other = "lab2/desktop-live";

function expected(current: string, holderRuns: boolean, confirmed: boolean, watched: boolean): LeaseVerdict {
  if (current !== other) return "take"; // free, or ours (a start run again)
  if (holderRuns) return "refuse"; // the GPU is in use: never shared
  if (confirmed) return "take"; // its holder started and has stopped since
  return watched ? "take" : "watch"; // a holder between taking the lease and starting gets its grace
}

const bools = [false, true];
const rows = ["", me, other].flatMap((current) =>
  bools.flatMap((holderRuns) =>
    bools.flatMap((confirmed) => bools.map((watched) => [current, holderRuns, confirmed, watched] as const)),
  ),
);

describe("judgeLease", () => {
  it.each(rows)(
    "held by %j, runs %s, confirmed %s, watched %s",
    (current, holderRuns, confirmed, watched) => {
      expect(judgeLease({ current, holder: me, holderRuns, confirmed, watched })).toBe(
        expected(current, holderRuns, confirmed, watched),
      );
    },
  );

  it("a holder that runs is refused even after the watch", () => {
    expect(
      judgeLease({ current: other, holder: me, holderRuns: true, confirmed: false, watched: true }),
    ).toBe("refuse");
  });
});
