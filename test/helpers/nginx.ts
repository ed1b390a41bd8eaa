/** nginx + nchan for the target tests: scripts/nginx.ts (shared with `npm run perf`). */
export * from '../../scripts/nginx.ts';
