#!/usr/bin/env node
// The `newsdesk` command: runs the TypeScript sources through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
