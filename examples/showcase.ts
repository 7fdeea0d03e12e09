// The SLIME showcase: `npm start` (or `npx tsx examples/showcase.ts --help`). See README, "The SLIME showcase".

// the Jinja engine for --chat-template: a devDependency, handed in so that the library itself needs none
import { Template } from '@huggingface/jinja';
import { runShowcase } from '../src/cli/showcase.js';

process.exitCode = await runShowcase(process.argv.slice(2), undefined, { jinja: Template });
