// Lab text for the config tests: one small valid lab, variants of it, and the lines a rejected lab prints.
import { InputError } from "../../src/config/problem.js";
import { parseModel } from "../../src/model/index.js";
import { MINIMAL, variantOf } from "../support/labs.js";

/** The config tests vary the smallest valid lab; their expected line:col positions depend on its text. */
export const BASE = MINIMAL;

/** BASE with one exact substring replaced; fails loudly if the substring is not there. */
export function edit(from: string, to: string): string {
  return variantOf(MINIMAL, [from, to]);
}

/** The problem lines a lab is rejected with; throws when it is accepted or fails with anything else. */
export function rejection(text: string, file = "lab.yaml"): string[] {
  try {
    parseModel(text, file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message.split("\n");
  }
  throw new Error("expected the lab to be rejected");
}
