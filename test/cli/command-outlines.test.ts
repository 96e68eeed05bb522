// gpuvm imports a command's module only when that command runs; for the others it shows an outline
// from src/cli/commands.ts. These tests hold the outlines, and each command run on its own, to what
// the modules themselves define.
import { Help } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { buildProgram } from "../../src/cli/main.js";
import { runCli } from "../support/cli.js";

const silent = { out: () => {}, err: () => {} };
const full = await buildProgram(silent, "all");
const defined = full.commands.filter((command) => command.name() !== "help");

describe("the command list", () => {
  it("has one outline per command, with the term and description its module defines", () => {
    // On a failure, the expected side is the line src/cli/commands.ts should have.
    const help = new Help();
    expect(
      COMMANDS.map(({ name, term, description }) => ({ name, term, description })),
      "update src/cli/commands.ts to match the command's module",
    ).toEqual(
      defined.map((command) => ({
        name: command.name(),
        term: help.subcommandTerm(command),
        description: command.description(),
      })),
    );
  });

  it("gpuvm --help prints what it would with every command loaded", async () => {
    const result = await runCli("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(full.helpInformation());
  });

  it("suggests the nearest command for a misspelt one, with exit 2", async () => {
    const result = await runCli("rendr", "-f", "lab.yaml");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'rendr'");
    expect(result.stderr).toContain("Did you mean render?");
  });
});

describe("a command run on its own", () => {
  it.each(defined.map((command) => [command.name(), command] as const))(
    "gpuvm %s --help shows its own options and arguments",
    async (name, command) => {
      const result = await runCli(name, "--help");
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(command.helpInformation());
    },
  );

  it("gpuvm help X shows X's help too", async () => {
    const result = await runCli("help", "start");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("-m, --mode <mode>");
  });

  it("gpuvm render --version still prints the version", async () => {
    const result = await runCli("render", "--version");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
