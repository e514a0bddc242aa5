// The project-local tslab kernelspec: valid, found through JUPYTER_PATH, and it really starts a
// kernel at the project root (where notebooks' "./src/..." imports resolve).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/io/paths";
import { KERNEL_NAME, jupyterEnv, jupyterPathDir } from "../../src/notebook/jupyter-env";

const root = projectRoot();
const kernelDir = path.join(jupyterPathDir(root), "kernels", KERNEL_NAME);
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

test("kernel.json is a valid kernelspec that runs launch.js from its resource dir", () => {
  const spec: unknown = JSON.parse(readFileSync(path.join(kernelDir, "kernel.json"), "utf8"));
  assert.ok(typeof spec === "object" && spec !== null);
  const s = spec as { argv?: unknown; display_name?: unknown; language?: unknown };
  assert.deepEqual(s.argv, ["node", "{resource_dir}/launch.js", "{connection_file}"]);
  assert.equal(typeof s.display_name, "string");
  assert.equal(s.language, "typescript");
  assert.ok(existsSync(path.join(kernelDir, "launch.js")));
});

test("the launcher finds the project's tslab and refuses a missing connection file", () => {
  const main = path.join(root, "node_modules", "tslab", "dist", "main.js");
  assert.ok(existsSync(main), "node_modules/tslab is installed");
  const r = spawnSync(process.execPath, [path.join(kernelDir, "launch.js")], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /usage: node launch\.js <jupyter connection file>/);
});

test("jupyter lists the kernel through JUPYTER_PATH", () => {
  const r = spawnSync(python, ["-m", "jupyter_client.kernelspecapp", "list", "--json"], {
    encoding: "utf8",
    env: { ...jupyterEnv(root), PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> };
  assert.ok(list.kernelspecs[KERNEL_NAME], `kernel ${KERNEL_NAME} not listed: ${Object.keys(list.kernelspecs).join(", ")}`);
  assert.equal(path.resolve(list.kernelspecs[KERNEL_NAME].resource_dir), kernelDir);
});

test("the kernel starts at the project root and runs TypeScript", { timeout: 120_000 }, () => {
  // Independent of notebooks: talk to the kernel with jupyter_client directly.
  const code = [
    "import json, sys",
    "from jupyter_client.manager import start_new_kernel",
    `km, kc = start_new_kernel(kernel_name=${JSON.stringify(KERNEL_NAME)}, startup_timeout=90)`,
    "out = []",
    "def hook(msg):",
    "    if msg['msg_type'] == 'stream': out.append(msg['content']['text'])",
    "try:",
    "    r = kc.execute_interactive('const n: number = 6 * 7; console.log(process.cwd() + \"|\" + n);', timeout=60, output_hook=hook)",
    "    print(json.dumps({'status': r['content']['status'], 'out': ''.join(out)}))",
    "finally:",
    "    kc.stop_channels(); km.shutdown_kernel(now=True)",
  ].join("\n");
  const r = spawnSync(python, ["-c", code], { encoding: "utf8", env: jupyterEnv(root), timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  const res = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { status: string; out: string };
  assert.equal(res.status, "ok");
  assert.equal(res.out.trim(), `${root}|42`);
});
