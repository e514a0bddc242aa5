// The paper-data downloader against a local HTTP server on 127.0.0.1 (never the network): a good
// copy, a truncated file, a wrong checksum, a 404, an oversized body and an unreachable server.
// Each case must end in the right state (a verified folder, or none at all: no partial cache, no
// staging folder left) with a message naming the file and the problem. With the real data present,
// the committed manifest must describe that copy exactly, and the script must download it whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../../src/io/paths";
import {
  downloadPaperData, ensurePaperData, paperDataStatus, readPaperDataManifest, verifyPaperData, type PaperDataManifest,
} from "../../src/io/paper-data";
import { paperDataSkip } from "../paper-data";

const work = mkdtempSync(path.join(tmpdir(), "snn-paper-dl-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Three small files standing in for the released data (deterministic bytes). */
const FILES: Record<string, Buffer> = {
  LICENSE: Buffer.from("Apache License 2.0 (test copy)\n"),
  "graph_metrics/unrolled/unrolled.csv": Buffer.from("model,dataset,accuracy\n" + Array.from({ length: 2000 }, (_, i) => `m${i % 7},d${i % 3},${(i * 0.37) % 1}`).join("\n") + "\n"),
  "ramanunjan_results/CONV-6/rolled-CIFAR-10-CONV-6.csv": Buffer.from("layer,value\n" + Array.from({ length: 500 }, (_, i) => `l${i},${i * i}`).join("\n") + "\n"),
};

function manifestFor(base: string, files = FILES): PaperDataManifest {
  const entries: Record<string, { source: string; bytes: number; sha256: string }> = {};
  for (const [name, b] of Object.entries(files)) entries[name] = { source: `graph_data/${name}`, bytes: b.length, sha256: sha(b) };
  return { repository: "test/mge-snn", commit: "0".repeat(40), baseUrl: base, files: entries };
}

/** Serves FILES under /<mode>/graph_data/<name>, damaging the unrolled.csv as the mode (good, truncated, corrupt, missing, oversized) says. */
async function withServer(fn: (base: string) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    const [, mode, ...rest] = (req.url ?? "").split("/");
    const name = rest.join("/").replace(/^graph_data\//, "");
    let body = FILES[name];
    const victim = name === "graph_metrics/unrolled/unrolled.csv";
    if (!body || (victim && mode === "missing")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("404: Not Found");
      return;
    }
    if (victim && mode === "truncated") body = body.subarray(0, body.length - 100);
    if (victim && mode === "corrupt") {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 1;
    }
    if (victim && mode === "oversized") body = Buffer.concat([body, Buffer.alloc(4096, 0x41)]);
    res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port that was just free: connecting is refused, as on a machine without network. */
function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = http.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** The destination's parent holds nothing but what is listed (no staging folder, no partial copy). */
function assertOnly(parent: string, expected: string[]): void {
  assert.deepEqual(readdirSync(parent).sort(), expected.sort(), `${parent} holds only ${expected.join(", ") || "nothing"}`);
}

test("a good copy downloads, verifies and appears in one step", async () => {
  await withServer(async (base) => {
    const parent = mkdtempSync(path.join(work, "good-"));
    const dest = path.join(parent, "paper-data");
    const updates: number[] = [];
    const r = await downloadPaperData({ dest, manifest: manifestFor(`${base}/good`), progress: { update: (d) => updates.push(d), finish: () => {} } });
    assert.equal(r.files, 3);
    for (const [name, b] of Object.entries(FILES)) assert.ok(readFileSync(path.join(dest, name)).equals(b), name);
    assert.deepEqual(verifyPaperData(dest, manifestFor(base)), []);
    assertOnly(parent, ["paper-data"]);
    assert.equal(updates[updates.length - 1], Object.values(FILES).reduce((s, b) => s + b.length, 0), "progress reaches the total bytes");
    await assert.rejects(downloadPaperData({ dest, manifest: manifestFor(`${base}/good`) }), /already exists; remove it first/);
  });
});

for (const [mode, message] of [
  ["truncated", /io\/paper-data: graph_metrics\/unrolled\/unrolled\.csv: truncated download \(\d+ of \d+ bytes from http:\/\/127\.0\.0\.1:\d+\/truncated\/graph_data\/graph_metrics\/unrolled\/unrolled\.csv\)/],
  ["corrupt", /io\/paper-data: graph_metrics\/unrolled\/unrolled\.csv: SHA-256 [0-9a-f]{64} does not match the committed [0-9a-f]{64}/],
  ["missing", /io\/paper-data: http:\/\/127\.0\.0\.1:\d+\/missing\/graph_data\/graph_metrics\/unrolled\/unrolled\.csv answered HTTP 404/],
  ["oversized", /io\/paper-data: graph_metrics\/unrolled\/unrolled\.csv: http:.* sent more than the expected \d+ bytes/],
] as const) {
  test(`a ${mode} file fails the download with a clear message and leaves no partial cache`, async () => {
    await withServer(async (base) => {
      const parent = mkdtempSync(path.join(work, `${mode}-`));
      const dest = path.join(parent, "paper-data");
      await assert.rejects(downloadPaperData({ dest, manifest: manifestFor(`${base}/${mode}`) }), message);
      assert.ok(!existsSync(dest), "no cache folder");
      assertOnly(parent, []);
    });
  });
}

test("the set-up step offline: one message (what, what depends on it, the command), no folder, no throw", async () => {
  const closed = await closedPort();
  const dest = path.join(mkdtempSync(path.join(work, "offline-")), "paper-data");
  const saved = process.env.SNN_PAPER_DATA;
  process.env.SNN_PAPER_DATA = dest;
  try {
    const r = await ensurePaperData({ manifest: manifestFor(`http://127.0.0.1:${closed}`) });
    assert.equal(r.state, "unavailable");
    assert.match(r.message ?? "", /^paper data: not available — .* are not in SNN_PAPER_DATA=.*paper-data; the download failed: cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED/);
    assert.match(r.message ?? "", /Without it: notebooks 03 .*04, 05 and 06.*analyze.*tests/);
    assert.match(r.message ?? "", /To get it later: npm run fetch-paper-data/);
    assert.match(r.message ?? "", /SNN_PAPER_DATA=\/path\/to\/paper-data/);
    assert.equal(r.message?.split("\n").length, 4);
    assert.ok(!existsSync(dest));
    assertOnly(path.dirname(dest), []);
    // and once a server answers, the same call downloads and reports the data present
    await withServer(async (base) => {
      const ok = await ensurePaperData({ manifest: manifestFor(`${base}/good`) });
      assert.equal(ok.state, "downloaded");
      assert.equal(ok.status.available, true);
      assert.equal(ok.status.dir, dest);
      assert.equal((await ensurePaperData({ manifest: manifestFor(`${base}/missing`) })).state, "present");
    });
  } finally {
    if (saved === undefined) delete process.env.SNN_PAPER_DATA;
    else process.env.SNN_PAPER_DATA = saved;
  }
});

/** Runs scripts/fetch-paper-data.js; resolves with its exit code and stderr. */
function script(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(projectRoot(), "scripts", "fetch-paper-data.js"), ...args], { env: { ...process.env, ...env }, cwd: projectRoot() });
    let stderr = "";
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stderr }));
  });
}

test("fetch-paper-data script: --if-missing exits 0 offline with the message; without it exits 1", { timeout: 120_000 }, async () => {
  const dest = path.join(mkdtempSync(path.join(work, "script-")), "paper-data");
  const env = { SNN_PAPER_DATA: dest };
  const base = `http://127.0.0.1:${await closedPort()}`;
  const a = await script(["--if-missing", "--base-url", base], env);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /paper data: not available .*cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED/);
  assert.match(a.stderr, /To get it later: npm run fetch-paper-data/);
  const b = await script(["--base-url", base], env);
  assert.equal(b.code, 1);
  assert.ok(!existsSync(dest));
  const c = await script(["--frobnicate"], env);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /unknown argument '--frobnicate'/);
});

test("the committed manifest describes the paper data in use exactly (files, sizes, SHA-256)", { skip: paperDataSkip("LICENSE") }, () => {
  const m = readPaperDataManifest();
  const status = paperDataStatus(m);
  assert.ok(status.available, `missing: ${status.missing.join(", ")}`);
  const list = (dir: string, prefix = ""): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? list(path.join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`]));
  assert.deepEqual(list(status.dir).sort(), Object.keys(m.files).sort());
  assert.deepEqual(verifyPaperData(status.dir, m), []);
  for (const [name, e] of Object.entries(m.files)) assert.equal(e.source, name === "LICENSE" ? "LICENSE" : `graph_data/${name}`);
  assert.match(m.baseUrl, new RegExp(`^https://raw\\.githubusercontent\\.com/${m.repository}/${m.commit}$`));
});

test("fetch-paper-data script downloads the real data whole from a local mirror and verifies it", { skip: paperDataSkip("LICENSE"), timeout: 300_000 }, async () => {
  const src = paperDataStatus().dir;
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? "").replace(/^\/(graph_data\/)?/, ""));
    const f = path.join(src, rel);
    if (rel.includes("..") || !existsSync(f)) {
      res.writeHead(404).end();
      return;
    }
    const b = readFileSync(f);
    res.writeHead(200, { "content-length": b.length }).end(b);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const dest = path.join(mkdtempSync(path.join(work, "real-")), "paper-data");
    const r = await script(["--dest", dest, "--base-url", `http://127.0.0.1:${(server.address() as AddressInfo).port}`], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /downloaded and verified into/);
    assert.deepEqual(verifyPaperData(dest), []);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
