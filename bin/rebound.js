#!/usr/bin/env node
// Entry point of the `rebound` CLI. The sources are TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../harness/src/cli/main.ts');
