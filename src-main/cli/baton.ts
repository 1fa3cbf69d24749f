#!/usr/bin/env node
/** The entry of the `baton` command; npm builds it to out/cli/baton.js (see package.json "bin"). */
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
