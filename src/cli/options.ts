// Options shared by several commands, declared once so they read the same everywhere.
import { Option } from "commander";

export function labFileOption(): Option {
  return new Option("-f, --file <lab>", "lab file").env("GPUVM_LAB").makeOptionMandatory();
}

export function outputOption(formats: string[], fallback: string): Option {
  return new Option("-o, --output <format>", "output format").choices(formats).default(fallback);
}
