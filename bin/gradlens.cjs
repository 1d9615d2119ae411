#!/usr/bin/env node
'use strict';
// The CLI is bundled by the build; this shim keeps `bin` stable across build layouts.
require('../dist/cli/cli.cjs');
