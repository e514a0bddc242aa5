import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Strict option parsing shared by every command: unknown flags and stray positionals are errors
 * that name the flag, and `--help` prints the command's help text.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  help: string,
): { values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : string }; help: boolean } {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(help.trimEnd() + "\n");
    return { values: {}, help: true };
  }
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return { values: values as never, help: false };
  } catch (err) {
    throw new Error(`${command}: ${(err as Error).message}\n\n${help.trimEnd()}`);
  }
}

/** Parses a numeric option, naming the flag and the value when it is not a finite number in range. */
export function numberOption(command: string, flag: string, raw: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new Error(`${command}: --${flag} must be a number in [${min}, ${max}], got '${raw}'`);
  }
  return v;
}

/** `--threads N`: threads of the native kernels (a positive integer), or undefined when not given. */
export function threadsOption(command: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${command}: --threads must be a positive integer, got '${raw}'`);
  return v;
}
