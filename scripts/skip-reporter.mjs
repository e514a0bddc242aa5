// node:test reporter used by scripts/test.js beside the usual one: writes one JSON line per skipped
// test ({ name, file, reason }) so the run can end with a line counting the skips by reason.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const skip = event.data.skip;
    if (skip === undefined || skip === false) continue;
    yield JSON.stringify({ name: event.data.name, file: event.data.file ?? null, reason: typeof skip === "string" ? skip : "" }) + "\n";
  }
}
