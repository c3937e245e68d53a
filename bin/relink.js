#!/usr/bin/env node
// The relink command: runs the TypeScript entry point through tsx.
require('tsx/cjs');
require('../src/cli/main.ts');
