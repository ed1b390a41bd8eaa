/**
 * The client core as one module: what the browser page's bundle (clients/browser/page/core.js)
 * and the Artillery processor's bundle are built from (clients/bundle.ts). Platform-free.
 */
export { Backoff, type BackoffOptions } from './backoff.ts';
export {
  DeliveryCore,
  type DeliveryError,
  type DeliveryHooks,
  type DeliveryStats,
  type EnvelopeLike,
  type Opened,
  type ResumePoint,
  utf8Length,
  type Verdict,
} from './delivery.ts';
export { SEEN_WINDOW_SEQS, type SeqVerdict, SeqWindow } from './seq-window.ts';
