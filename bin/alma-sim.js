#!/usr/bin/env node
// The alma-sim command: runs the TypeScript entry point through tsx.
require('tsx/cjs');
require('../src/alma-sim/main.ts');
