// `npm start`: the SLIME showcase end to end. Checks flags, data and the output folder first (exit code 2 on any
// problem, before training), then runs the pipeline with a progress bar, and writes the report. Ctrl-C stops after
// the current step and still writes a report of what finished (metrics.jsonl is appended as the run goes).

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ByteTokenizer } from '../data/tokenizer.js';
import { chatTemplateFromTokenizerConfig, type ChatTemplate, type JinjaEngine } from '../data/chat-template.js';
import type { LoadedCheckpoint } from '../io/checkpoint.js';
import { JsonlMetricsLogger } from '../train/metrics.js';
import { ProgressBar, formatDuration } from '../train/progress.js';
// the CLI sits on the library entry (which also lets the registry know how to set up WebGPU)
import { initBackend, setDefaultBackend } from '../index.js';
import { writeReport } from '../report/write-report.js';
import { finalTable, TABLE_COLUMNS } from '../report/table.js';
import type { Summary } from '../report/summary.js';
import { NonFiniteLossError } from '../train/loop.js';
import { HELP, parseShowcaseArgs, UsageError, type ShowcaseSettings } from './args.js';
import { prepareTask, type PreparedTask } from './task-setup.js';
import { emptyResults, progressTotal, runPipeline } from './pipeline.js';
import { longestInput, memoryProblem } from './memory-estimate.js';
import { evaluateCheckpoint, loadForEvaluation } from './eval-only.js';

export interface ShowcaseIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Progress bar stream; null for none. */
  progressStream: (NodeJS.WritableStream & { isTTY?: boolean }) | null;
}

/** What the CLI can use that the core library does not ship. */
export interface ShowcaseEnv {
  /** A Jinja engine (e.g. `Template` from @huggingface/jinja), needed only for --chat-template. */
  jinja?: JinjaEngine;
}

const defaultIo: ShowcaseIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  progressStream: process.stdout,
};

async function checkWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    throw new Error(
      `cannot write to the output folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

async function chatTemplateOf(settings: ShowcaseSettings, env: ShowcaseEnv): Promise<ChatTemplate | undefined> {
  if (settings.chatTemplate === null) return undefined;
  if (!env.jinja)
    throw new Error(
      '--chat-template needs a Jinja engine, which this entry point does not provide ' +
        '(examples/showcase.ts passes @huggingface/jinja)',
    );
  let text: string;
  try {
    text = await readFile(settings.chatTemplate, 'utf8');
  } catch (e) {
    throw new Error(
      `cannot read ${settings.chatTemplate}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return chatTemplateFromTokenizerConfig(text, env.jinja, settings.chatTemplate);
}

interface Ready {
  settings: ShowcaseSettings;
  task: PreparedTask;
  tokenizer: ByteTokenizer;
  /** The checkpoint to score, with --eval-only. */
  evaluate: LoadedCheckpoint | null;
}

/** Everything that can fail before training: flags, output folder, backend, checkpoint, data. */
async function preflight(argv: readonly string[], io: ShowcaseIo, env: ShowcaseEnv): Promise<Ready | number> {
  let settings: ShowcaseSettings | null;
  try {
    settings = parseShowcaseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\nRun with --help to see the options.\n`);
    return 2;
  }
  if (settings === null) {
    io.out(HELP);
    return 0;
  }
  try {
    await checkWritable(settings.out);
    await initBackend(settings.backend);
    setDefaultBackend(settings.backend);
    const tokenizer = new ByteTokenizer();
    const evaluate =
      settings.evalOnly === null ? null : await loadForEvaluation(settings, settings.evalOnly, tokenizer);
    try {
      const task = await prepareTask(settings, tokenizer, settings.out, {
        chatTemplate: await chatTemplateOf(settings, env),
      });
      // a run too big for this machine stops here, not a minute into training
      const seqLen = longestInput([...task.trainPairs, ...task.heldOut.pairs]);
      const tooBig = memoryProblem(settings, tokenizer.vocabSize, seqLen, totalmem());
      if (tooBig) throw new Error(tooBig);
      return { settings, task, tokenizer, evaluate };
    } catch (e) {
      evaluate?.model.dispose();
      throw e;
    }
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 2;
  }
}

function printSummary(summary: Summary, io: ShowcaseIo, out: string): void {
  const rows = finalTable(summary);
  const headers = ['method', ...TABLE_COLUMNS.map((c) => c.header)];
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (i === 0 ? r.label : r.cells[i - 1]).length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  io.out(`\n${line(headers)}\n${rows.map((r) => line([r.label, ...r.cells])).join('\n')}\n\n`);
  for (const o of summary.observations) io.out(`- ${o}\n`);
  io.out(`\nReport: ${join(out, 'report.html')} (and report.md, summary.json, metrics.jsonl, checkpoints/)\n`);
}

/** Runs the showcase; resolves to the process exit code. */
export async function runShowcase(
  argv: readonly string[],
  io: ShowcaseIo = defaultIo,
  env: ShowcaseEnv = {},
): Promise<number> {
  const started = Date.now();
  const ready = await preflight(argv, io, env);
  if (typeof ready === 'number') return ready;
  const { settings, task, tokenizer, evaluate } = ready;
  const out = resolve(settings.out);
  const metrics = await JsonlMetricsLogger.open(join(out, 'metrics.jsonl'));
  const results = emptyResults(settings, task);
  let stopping = false;
  const onSigint = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    io.err(
      '\nInterrupted: finishing the current step, then writing a report of what finished (Ctrl-C again to quit now).\n',
    );
  };
  process.on('SIGINT', onSigint);
  const progress =
    settings.progress && io.progressStream && !evaluate
      ? new ProgressBar(progressTotal(settings), { label: 'showcase', stream: io.progressStream })
      : null;
  const rates = settings.sweepLr.length > 0 ? ` x ${settings.sweepLr.length} learning rates` : '';
  if (evaluate)
    io.out(`Evaluating ${settings.evalOnly} (step ${evaluate.step}) on the held-out set; writing to ${out}\n`);
  else
    io.out(
      `SLIME showcase: ${settings.methods.length} methods${rates} x ${settings.seeds.length} seeds, ` +
        `${settings.sftSteps} SFT + ${settings.steps} preference steps each, on ${settings.backend}; ` +
        `writing to ${out}\n`,
    );
  let failure: Error | null = null;
  try {
    if (evaluate) {
      await evaluateCheckpoint(evaluate, settings.evalOnly!, task.heldOut, tokenizer, results);
      metrics.log({
        phase: 'eval',
        method: 'checkpoint',
        seed: 0,
        step: evaluate.step,
        ...results.checkpoints[0].metrics,
      });
    } else {
      await runPipeline(settings, task, tokenizer, out, { metrics, progress, shouldStop: () => stopping, results });
    }
  } catch (e) {
    // a run that fails midway (e.g. a loss went non-finite) still reports what finished before it
    failure = e as Error;
  } finally {
    evaluate?.model.dispose();
    progress?.finish();
    process.off('SIGINT', onSigint);
    results.interrupted = stopping || failure !== null;
    results.wallSeconds = (Date.now() - started) / 1000;
  }
  const summary = await writeReport(out, results);
  printSummary(summary, io, out);
  io.out(`Wall time: ${formatDuration(results.wallSeconds)}\n`);
  if (failure) {
    // the library names no flags; the command line knows which one helps
    const hint = failure instanceof NonFiniteLossError ? '; lower --lr' : '';
    io.err(`error: ${failure.message}${hint}\n(the report above covers only the runs that finished before it)\n`);
    return 1;
  }
  return stopping ? 130 : 0;
}
