/**
 * `npm run report`: serves the latest report on 127.0.0.1 whether `latest` is a symlink or a
 * folder, renders results.json on the fly when index.html is missing, explains when there is
 * no report, and stops on Ctrl-C (SIGINT).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseServeArgs, type ReportServer, startReportServer } from '../../reports/serve.ts';
import { RESULTS_FIXTURE } from './fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('report server', () => {
  let dir: string;
  let server: ReportServer | undefined;
  let child: ChildProcess | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-serve-'));
    await mkdir(path.join(dir, 'run-1'));
    await writeFile(path.join(dir, 'run-1', 'index.html'), '<!doctype html><title>run 1</title>');
    await symlink('run-1', path.join(dir, 'latest'), 'dir');
    await mkdir(path.join(dir, 'folder'));
    await copyFile(RESULTS_FIXTURE, path.join(dir, 'folder', 'results.json'));
    await mkdir(path.join(dir, 'empty'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html through a `latest` symlink, on 127.0.0.1 and port 0', async () => {
    server = await startReportServer({ dir: path.join(dir, 'latest'), port: 0 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), '<!doctype html><title>run 1</title>');
    assert.equal((await fetch(`${server.url}results.json`)).status, 404, 'only the report is served');
  });

  it('renders results.json on the fly when a `latest` folder has no index.html yet', async () => {
    server = await startReportServer({ dir: path.join(dir, 'folder'), port: 0 });
    const text = await (await fetch(server.url)).text();
    assert.match(text, /blackhole-8s/);
    assert.match(text, /<canvas id="chart-latency-distribution"/);
  });

  it('answers 404 with how to make a report when there is none', async () => {
    server = await startReportServer({ dir: path.join(dir, 'empty'), port: 0 });
    const res = await fetch(server.url);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /no report yet: .* Run `npm run bench` first/);
  });

  it('validates --port', () => {
    assert.equal(parseServeArgs([]).port, 8090);
    assert.equal(parseServeArgs(['--port', '0']).port, 0);
    assert.throws(() => parseServeArgs(['--port', '99999']), /--port: expected an integer 0–65535/);
    assert.throws(
      () => parseServeArgs(['--bogus']),
      (err: Error & { code?: string }) => err.code === 'PB_BAD_OPTION',
    );
  });

  it('as a script: prints the URL, serves, and stops on SIGINT', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'reports/serve.ts', '--port', '0', '--dir', path.join(dir, 'latest')],
      { cwd: root },
    );
    const proc = child;
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed within 15 s: ${out}`)), 15_000);
      proc.stdout?.on('data', (d) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
      proc.on('exit', (code) => reject(new Error(`exited ${code} before printing a URL: ${out}`)));
    });
    assert.equal((await fetch(url)).status, 200);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGINT');
    assert.equal(await exited, 0);
  });

  it('as a script: exits 1 with a clear message when there is no report', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'reports/serve.ts', '--dir', path.join(dir, 'empty')],
      { cwd: root },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child?.on('exit', (c) => resolve(c)));
    assert.equal(code, 1);
    assert.match(stderr, /no report yet/);
  });
});

/** One raw HTTP/1.1 request; resolves with the status and the body. */
function rawRequest(port: number, head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${head}Connection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        body: text.slice(text.indexOf('\r\n\r\n') + 4),
      }),
    );
    setTimeout(() => socket.destroy(new Error(`no answer within 3 s: ${text}`)), 3_000).unref();
  });
}

describe('report server: hostile requests', () => {
  let dir: string;
  let server: ReportServer;
  let port: number;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-serve-bad-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>r</title>');
    server = await startReportServer({ dir, port: 0 });
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const target of ['//[', '/%zz', '/<script>', 'http://[/']) {
    it(`GET ${JSON.stringify(target)} → 400 PB_BAD_REQUEST, and the server keeps serving`, async () => {
      const r = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
      assert.equal(r.status, 400, r.body);
      assert.equal(JSON.parse(r.body).error.code, 'PB_BAD_REQUEST');
      assert.equal((await fetch(server.url)).status, 200);
    });
  }

  for (const host of [
    'evil.example',
    'evil.example:8090',
    '127.0.0.1.nip.io',
    '127.0.0.1@evil.example',
    '',
  ]) {
    it(`Host ${JSON.stringify(host)} → 421 PB_BAD_HOST (DNS rebinding)`, async () => {
      const r = await rawRequest(port, `GET / HTTP/1.1\r\nHost: ${host}\r\n`);
      assert.equal(r.status, 421, r.body);
      assert.equal(JSON.parse(r.body).error.code, 'PB_BAD_HOST');
    });
  }

  for (const host of ['127.0.0.1', 'localhost:8090', '[::1]:8090', 'report.localhost']) {
    it(`Host ${host} is served`, async () => {
      const r = await rawRequest(port, `GET / HTTP/1.1\r\nHost: ${host}\r\n`);
      assert.equal(r.status, 200);
    });
  }

  it('other methods and paths answer in the error shape', async () => {
    const post = await rawRequest(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n');
    assert.equal(post.status, 405);
    assert.equal(JSON.parse(post.body).error.code, 'PB_METHOD_NOT_ALLOWED');
    const missing = await rawRequest(port, 'GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).error.code, 'PB_NOT_FOUND');
  });
});
