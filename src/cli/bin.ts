#!/usr/bin/env node
// The `slimegrad` command of the installed package: `npx slimegrad showcase [options]`. The showcase draws its charts
// with vega and vega-lite, which the library itself does not need, so they are optional peer dependencies; their
// absence is reported here, before any training, instead of as a crash once the report is written.

import { createRequire } from 'node:module';
import { parseShowcaseArgs } from './args.js';
import { runShowcase } from './showcase.js';

const CHART_PACKAGES = ['vega', 'vega-lite'] as const;

/** The general usage text. */
const USAGE = `Usage: slimegrad <command> [options]

Commands:
  showcase [options]   train a tiny GPT with SFT, then compare preference losses (SLIME, DPO, ...); see --help

Options:
  -h, --help           this text (showcase --help: the showcase's options)
  -v, --version        slimegrad's version
`;

const require = createRequire(import.meta.url);

function version(): string {
  // the same relative path from src/cli and from dist/cli
  return (require('../../package.json') as { version: string }).version;
}

/** Chart packages that cannot be resolved from where the report module will import them. */
function missingChartPackages(): string[] {
  return CHART_PACKAGES.filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** Runs the command line (without node and script); resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '-v' || command === '--version' || (command === 'showcase' && rest.includes('--version'))) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'showcase') {
    process.stderr.write(`error: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  let wantsTraining: boolean;
  try {
    wantsTraining = parseShowcaseArgs(rest) !== null;
  } catch {
    wantsTraining = false; // runShowcase prints the usage error
  }
  const missing = wantsTraining ? missingChartPackages() : [];
  if (missing.length > 0) {
    process.stderr.write(
      `error: the showcase draws its report's charts with vega and vega-lite; not installed: ${missing.join(', ')}.\n` +
        `Install them next to slimegrad (npm install ${CHART_PACKAGES.join(' ')}), or run it in one go with\n` +
        `  npx -p slimegrad ${CHART_PACKAGES.map((p) => `-p ${p}`).join(' ')} slimegrad showcase ${rest.join(' ')}\n`,
    );
    return 2;
  }
  return runShowcase(rest);
}

process.exitCode = await main(process.argv.slice(2));
