/**
 * The fault proxy in a child process for the Artillery resume test: `PROXY_TARGET_PORT` in
 * the environment; sends `{type:'listening', port}`; answers `{type:'blackhole', on}`.
 * In its own process so the test can always end it with a signal: in-process, FaultProxy.close()
 * after a blackhole whose client side was destroyed while the server kept sending left the
 * process spinning (reported to the network owner).
 */
import { type AppliedFault, FaultProxy } from '../../../network/proxy.ts';

const proxy = new FaultProxy({ target: { host: '127.0.0.1', port: Number(process.env.PROXY_TARGET_PORT) } });
let fault: AppliedFault | undefined;

process.on('message', (msg: { type: string; id?: number; on?: boolean }) => {
  if (msg.type !== 'blackhole') return;
  if (msg.on) fault ??= proxy.apply({ kind: 'blackhole' });
  else {
    fault?.remove();
    fault = undefined;
  }
  process.send?.({ type: 'reply', id: msg.id, result: { ok: true } });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'listening', port: await proxy.lane('main') });
