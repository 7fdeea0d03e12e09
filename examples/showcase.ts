// The SLIME showcase: `npm start` (or `npx tsx examples/showcase.ts --help`). See README, "The SLIME showcase".

import { runShowcase } from '../src/cli/showcase.js';

process.exitCode = await runShowcase(process.argv.slice(2));
