import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ChildHandle, liveChildren } from '../../runner/child.js';

describe('ChildHandle', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a request to a child that was killed rejects with how it exited, at once and for later requests', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pb-child-'));
    const entry = join(dir, 'echo.ts');
    // Answers every request, so the first one proves the channel works before the kill.
    await writeFile(
      entry,
      "process.on('message', (m: any) => process.send?.({ type: 'reply', id: m.id, result: m.type }));\n",
    );
    const child = new ChildHandle<{ type: string }>('echo child', entry);
    const crashes: Error[] = [];
    child.on('crash', (e: Error) => crashes.push(e));
    assert.equal(await child.request('ping'), 'ping');
    const pending = child.request('never-answered', {}, 5_000);
    child.proc.kill('SIGKILL');
    await assert.rejects(pending, /echo child exited \(code null, signal SIGKILL\)/);
    await child.exited;
    // After the exit: the same words, not a generic "not running".
    await assert.rejects(child.request('ping'), /echo child exited \(code null, signal SIGKILL\)/);
    assert.equal(crashes.length, 1, 'one crash event');
    assert.match(String(crashes[0]), /exited \(code null, signal SIGKILL\)/);
    assert.deepEqual(liveChildren(), []);
  });
});
