// Test helper: temporary folders that are removed when the test file's tests have finished (pass or
// fail), so a full `npm test` leaves nothing in the system temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";

const made: string[] = [];
// Registered when this module is first imported (at a test file's top level), so it runs once after all its tests.
after(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder under the system temp folder, named `<prefix>XXXXXX`, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}
