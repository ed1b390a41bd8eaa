#!/usr/bin/env node
// Entry for `npx pushbench`: registers tsx so the TypeScript CLI runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./pushbench.ts');
await main(process.argv);
