/**
 * Every fault kind, by name. Adding a fault = one file in this folder exporting a
 * ToxicDefinition named after its kind, plus one line here.
 */
export { bandwidth } from './bandwidth.ts';
export { blackhole } from './blackhole.ts';
export { close } from './close.ts';
export { flap } from './flap.ts';
export { latency } from './latency.ts';
export { reset } from './reset.ts';
