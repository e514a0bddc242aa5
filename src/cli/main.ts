/**
 * `snn-topology <command>`: each command lives in its own module under src/cli/ and is loaded
 * only when asked for, so `encode` never pays for tfjs and `analyze` never for the encoder.
 */
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Command> = {
  encode: () => (require("./encode") as { command: Command }).command,
  metrics: () => (require("./metrics") as { command: Command }).command,
  analyze: () => (require("./analyze") as { command: Command }).command,
  prune: () => (require("./prune") as { command: Command }).command,
  train: () => (require("./train") as { command: Command }).command,
  run: () => (require("./run") as { command: Command }).command,
  merge: () => (require("./merge") as { command: Command }).command,
  start: () => (require("./start") as { command: Command }).command,
  draw: () => (require("./draw") as { command: Command }).command,
};

function usage(): string {
  const lines = ["usage: snn-topology <command> [options]", "", "commands:"];
  for (const name of Object.keys(commands)) {
    let summary = "";
    try {
      summary = commands[name]().summary;
    } catch {
      summary = "(not available in this build)";
    }
    lines.push(`  ${name.padEnd(9)} ${summary}`);
  }
  lines.push("", "Run `snn-topology <command> --help` for the options of a command.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`snn-topology: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  return load().run(rest);
}
