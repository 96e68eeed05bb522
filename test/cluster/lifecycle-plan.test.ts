// The lifecycle decisions over every combination of two modes' states: what start, stop and switch
// write (or refuse), and which mode each command acts on when none is named.
import { describe, expect, it } from "vitest";
import {
  actOnMode,
  chooseMode,
  LifecycleError,
  type ModePurpose,
  type ModeView,
  type PlanContext,
  planStart,
  planStop,
  planSwitchAway,
  type Step,
} from "../../src/cluster/lifecycle-plan.js";
import { GpuvmError } from "../../src/errors.js";
import type { Mode, Vm } from "../../src/model/lab.js";
import { exampleLab } from "../support/labs.js";

const vm = exampleLab("homelab").vms.find((candidate) => candidate.name === "gaming") as Vm;
const [live, maintenance] = vm.modes as [Mode, Mode];

/** The states a mode can be read in. */
const STATES = ["absent", "halted", "stopping", "running", "manual"] as const;
type State = (typeof STATES)[number];

function view(mode: Mode, state: State): ModeView {
  const shapes: Record<State, Omit<ModeView, "name" | "objectName">> = {
    absent: { exists: false, asked: "halt", active: false, phase: "no instance" },
    halted: { exists: true, asked: "halt", active: false, phase: "Stopped" },
    // Halted, but its instance is still shutting down and holds its devices.
    stopping: { exists: true, asked: "halt", active: true, phase: "Running" },
    running: { exists: true, asked: "run", active: true, phase: "Running" },
    // A run strategy gpuvm never writes (Manual, RerunOnFailure).
    manual: { exists: true, asked: "other", active: true, phase: "Scheduling" },
  };
  return { name: mode.name, objectName: mode.objectName, ...shapes[state] };
}

function ctx(liveState: State, maintenanceState: State, of: Vm = vm): PlanContext {
  return {
    vm: of,
    views: [view(live, liveState), view(maintenance, maintenanceState)],
    namespace: "lab",
    labFile: "homelab.yaml",
  };
}

/** A plan in one line: "take(live) Always(gaming-live) say confirm(live)". */
function summary(plan: () => Step[]): string {
  try {
    return plan()
      .map((step) => {
        switch (step.kind) {
          case "take-claims":
            return `take(${step.mode})`;
          case "set-run-strategy":
            return `${step.strategy}(${step.objectName})`;
          case "confirm-claims":
            return `confirm(${step.mode})`;
          case "wait-running":
            return `running?(${step.objectName})`;
          case "wait-gone":
            return `gone?(${step.objectName})`;
          case "release-claims":
            return `release(${step.mode})`;
          case "say":
            return `say[${step.line}]`;
        }
        return "?";
      })
      .join(" ");
  } catch (error) {
    if (!(error instanceof LifecycleError)) throw error;
    return `refused: ${error.message}`;
  }
}

const combos = STATES.flatMap((a) => STATES.map((b) => [a, b] as const));

describe("planStart", () => {
  const fresh = "take(live) Always(gaming-live) say[gaming-live: starting] confirm(live)";
  const already = "take(live) say[gaming-live: already set to run (Running)] confirm(live)";
  const missing =
    "refused: VirtualMachine gaming-live does not exist in namespace lab; create it with: gpuvm apply -f homelab.yaml";
  const otherRuns =
    "refused: gaming-maintenance is running; stop it first or use: gpuvm switch gaming --to live";
  // Start the live mode: rows are live's state, columns maintenance's (absent halted stopping running manual).
  const expected: Record<State, string[]> = {
    absent: [missing, missing, missing, missing, missing],
    halted: [fresh, fresh, otherRuns, otherRuns, otherRuns],
    stopping: [fresh, fresh, otherRuns, otherRuns, otherRuns],
    running: [already, already, otherRuns, otherRuns, otherRuns],
    manual: [fresh, fresh, otherRuns, otherRuns, otherRuns],
  };

  it.each(combos)("live %s, maintenance %s", (liveState, maintenanceState) => {
    const want = expected[liveState][STATES.indexOf(maintenanceState)];
    expect(summary(() => planStart(ctx(liveState, maintenanceState), live, { wait: false }))).toBe(want);
  });

  it("with --wait, waits for the instance to run after confirming the claims", () => {
    expect(summary(() => planStart(ctx("halted", "halted"), live, { wait: true }))).toBe(
      `${fresh} running?(gaming-live)`,
    );
  });

  it("takes the claims before it sets the mode to run", () => {
    const kinds = planStart(ctx("halted", "absent"), live, { wait: true }).map((step) => step.kind);
    expect(kinds.indexOf("take-claims")).toBeLessThan(kinds.indexOf("set-run-strategy"));
    expect(kinds.indexOf("set-run-strategy")).toBeLessThan(kinds.indexOf("confirm-claims"));
  });

  it("refuses with a GpuvmError, so the CLI ends with exit code 1 and no stack", () => {
    expect(() => planStart(ctx("absent", "halted"), live, { wait: false })).toThrow(GpuvmError);
  });
});

/** What stopping one mode writes, by its state. */
function stopOf(mode: Mode, state: State, wait: boolean): string[] {
  const halt = [`Halted(${mode.objectName})`, `say[${mode.objectName}: stopping]`];
  const after = wait ? [`gone?(${mode.objectName})`, `release(${mode.name})`] : [];
  if (state === "stopping") return after;
  if (state === "running" || state === "manual") return [...halt, ...after];
  return [];
}

const isActive = (state: State) => state === "stopping" || state === "running" || state === "manual";

describe("planStop", () => {
  for (const wait of [true, false]) {
    it.each(combos)(`wait=${wait}: live %s, maintenance %s`, (liveState, maintenanceState) => {
      const stops = [...stopOf(live, liveState, wait), ...stopOf(maintenance, maintenanceState, wait)];
      const none = ["say[gaming: not running]", ...(wait ? ["release(live)", "release(maintenance)"] : [])];
      const want = isActive(liveState) || isActive(maintenanceState) ? stops : none;
      expect(summary(() => planStop(ctx(liveState, maintenanceState), { wait }))).toBe(want.join(" "));
    });
  }

  it.each(combos)("naming the live mode leaves maintenance alone: live %s, maintenance %s", (a, b) => {
    const want = isActive(a)
      ? stopOf(live, a, true)
      : ["say[gaming: not running]", "release(live)", "release(maintenance)"];
    expect(summary(() => planStop(ctx(a, b), { wait: true, mode: live }))).toBe(want.join(" "));
  });
});

describe("planSwitchAway", () => {
  it.each(combos)("to maintenance: live %s, maintenance %s", (liveState, maintenanceState) => {
    // Only the mode switched away from is stopped, always waiting until it is gone; the target is left
    // for the start that follows.
    const want = isActive(liveState) ? stopOf(live, liveState, true) : [];
    expect(summary(() => planSwitchAway(ctx(liveState, maintenanceState), maintenance))).toBe(want.join(" "));
  });
});

describe("chooseMode: the one rule for the mode a command acts on", () => {
  const single: Vm = { ...vm, modes: [live] };
  const rows: { purpose: ModePurpose; live: State; maintenance: State; named?: string; want: string }[] = [
    // A named mode always wins, whatever runs.
    { purpose: "start", live: "running", maintenance: "halted", named: "maintenance", want: "maintenance" },
    { purpose: "act-on", live: "running", maintenance: "halted", named: "maintenance", want: "maintenance" },
    { purpose: "switch", live: "halted", maintenance: "halted", named: "maintenance", want: "maintenance" },
    { purpose: "act-on", live: "halted", maintenance: "halted", named: "compat", want: "refused" },
    // start: the default, even while the other mode runs (start then refuses and says how to switch).
    { purpose: "start", live: "halted", maintenance: "halted", want: "live" },
    { purpose: "start", live: "halted", maintenance: "running", want: "live" },
    // restart, wait, console, vnc, iso: the active mode, else the default.
    { purpose: "act-on", live: "halted", maintenance: "halted", want: "live" },
    { purpose: "act-on", live: "absent", maintenance: "absent", want: "live" },
    { purpose: "act-on", live: "halted", maintenance: "running", want: "maintenance" },
    { purpose: "act-on", live: "halted", maintenance: "stopping", want: "maintenance" },
    { purpose: "act-on", live: "halted", maintenance: "manual", want: "maintenance" },
    { purpose: "act-on", live: "running", maintenance: "halted", want: "live" },
    { purpose: "act-on", live: "running", maintenance: "stopping", want: "live" },
    // switch: the other of the one active mode; neither or both active is a question, not a guess.
    { purpose: "switch", live: "running", maintenance: "halted", want: "maintenance" },
    { purpose: "switch", live: "stopping", maintenance: "absent", want: "maintenance" },
    { purpose: "switch", live: "halted", maintenance: "running", want: "live" },
    { purpose: "switch", live: "halted", maintenance: "halted", want: "refused" },
    { purpose: "switch", live: "running", maintenance: "running", want: "refused" },
  ];

  it.each(rows)("$purpose with live $live, maintenance $maintenance, named $named → $want", (row) => {
    const views = [view(live, row.live), view(maintenance, row.maintenance)];
    let got: string;
    try {
      got = chooseMode(vm, views, row.purpose, row.named).name;
    } catch (error) {
      expect(error).toBeInstanceOf(GpuvmError);
      expect((error as GpuvmError).exitCode).toBe(2);
      got = "refused";
    }
    expect(got).toBe(row.want);
  });

  it("switch with neither mode running asks for --to", () => {
    const views = [view(live, "halted"), view(maintenance, "halted")];
    expect(() => chooseMode(vm, views, "switch")).toThrow(/neither of its modes runs/);
    try {
      chooseMode(vm, views, "switch");
    } catch (error) {
      expect((error as GpuvmError).hint).toContain("gpuvm switch gaming --to live|maintenance");
    }
  });

  it("a VM with one mode has nothing to switch to", () => {
    expect(() => chooseMode(single, [view(live, "running")], "switch")).toThrow(/has only its live mode/);
  });
});

describe("actOnMode: the same act-on rule when only the cluster's labels name the modes", () => {
  const rows: { modes: string[]; active: string[]; defaultMode?: string; want: string | undefined }[] = [
    { modes: ["live", "maintenance"], active: ["maintenance"], defaultMode: "live", want: "maintenance" },
    {
      modes: ["live", "maintenance"],
      active: ["live", "maintenance"],
      defaultMode: "maintenance",
      want: "maintenance",
    },
    { modes: ["live", "maintenance"], active: [], defaultMode: "live", want: "live" },
    { modes: ["live", "maintenance"], active: ["live"], want: "live" },
    // Without a lab there is no default: with nothing active the user must choose.
    { modes: ["live", "maintenance"], active: [], want: undefined },
    { modes: ["gaming-vm"], active: [], want: "gaming-vm" },
    // A default the cluster does not have is no answer.
    { modes: ["live", "maintenance"], active: [], defaultMode: "turbo", want: undefined },
  ];

  it.each(rows)("modes $modes, active $active, default $defaultMode → $want", (row) => {
    expect(actOnMode(row.modes, row.active, row.defaultMode)).toBe(row.want);
  });
});
