#!/usr/bin/env node
/** Removes dist/ so a build never ships files that no longer exist in the source. */
require('node:fs').rmSync(require('node:path').join(__dirname, '..', 'dist'), { recursive: true, force: true });
