/**
 * Resetting a socket (RST) safely. libuv refuses to reset a TCP handle while the shutdown
 * queued by end() (our FIN) is still pending, and Node 20's resetAndDestroy() then leaks the
 * handle: the socket reads as destroyed but never emits 'close', so its link never ends, and
 * at exit Node waits for that handle forever, spinning at 100 % CPU. This happens when a FIN
 * and an RST are delivered together (a fault releasing what it held, close then reset).
 * Every RST the proxy sends goes through resetSocket().
 */
import type { Socket } from 'node:net';

/** Bound on waiting for a pending FIN to go out before giving up on the RST and closing. */
const FIN_WAIT_MS = 500;

/** Destroy `socket` with RST; if its FIN is being sent, send the RST right after it. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (!shutdownPending(socket)) {
    socket.resetAndDestroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), FIN_WAIT_MS);
  const afterFin = (): void => {
    clearTimeout(timer);
    if (!socket.destroyed) socket.resetAndDestroy();
  };
  socket.once('finish', afterFin);
  socket.once('close', () => {
    clearTimeout(timer);
    socket.off('finish', afterFin);
  });
}

/**
 * end() was called, every byte has reached the kernel (so Node has asked libuv for the
 * shutdown, or will on connect) and 'finish' has not come yet. With bytes still queued the
 * shutdown has not been asked for, and an RST (discarding them, as TCP does) is safe.
 */
function shutdownPending(socket: Socket): boolean {
  if (!socket.writableEnded || socket.writableFinished) return false;
  return socket.writableLength === 0 || socket.connecting;
}
