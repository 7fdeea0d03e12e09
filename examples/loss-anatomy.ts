// Loss anatomy: every preference loss on one pair, as the margin between the chosen and the rejected completion
// grows. For each loss: the loss, its gradient with respect to the margin and to each of lbar_w and lbar_l, as SVG
// charts and a Markdown table. Read it to see why DPO keeps pushing, where SimPO's gamma bites, and how SLIME's
// gate and floor shape the gradient.
// Run: npx tsx examples/loss-anatomy.ts [--out dir]     (default runs/loss-anatomy/)

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { grad, tensor, type Tensor } from 'slimegrad';
import { losses } from 'slimegrad';
import { lineChart, type ChartMarker, type ChartSeries } from '../src/report/charts.js';

/** One pair, one completion token a side, so lbar = sum-l = that token's log-prob and the margin reads directly. */
interface Sample {
  margin: number;
  lbarW: number;
  lbarL: number;
  loss: number;
  /** d loss / d margin along the symmetric direction (lbar_w up by e/2, lbar_l down by e/2). */
  dMargin: number;
  dLbarW: number;
  dLbarL: number;
}

interface Study {
  /** Names the chart file and the table section. */
  id: string;
  /** The loss, by registry name. */
  name: string;
  config?: Record<string, number>;
  /** Grid of the margin, in the units the loss works in. */
  range: [number, number];
  markers: ChartMarker[];
  /** One line for the reader: what to look at. */
  note: string;
  /** Margins listed in the table: the places where something happens. */
  tableAt: readonly number[];
}

const REFERENCE_POINTS = [-20, -10, 0, 5, 10, 20, 40];
const FREE_POINTS = [-3, -1, 0, 0.5, 1, 1.25, 1.5, 2, 4];

const REFERENCE_FAMILY: Study[] = [
  {
    id: 'dpo',
    name: 'dpo',
    range: [-20, 40],
    markers: [],
    tableAt: REFERENCE_POINTS,
    note:
      'The push beta sigma(-beta h) decays but never reaches 0: DPO keeps widening the margin, ' +
      'and nothing in the loss says which side should move.',
  },
  {
    id: 'cdpo',
    name: 'dpo',
    config: { labelSmoothing: 0.1 },
    range: [-20, 40],
    markers: [{ x: 10 * Math.log(9), label: 'beta h = ln((1-eps)/eps)' }],
    tableAt: REFERENCE_POINTS,
    note:
      'cDPO (eps = 0.1): the push changes sign at beta h = ln((1 - eps)/eps): ' +
      'past it, the loss pulls an over-confident margin back.',
  },
  {
    id: 'robust',
    name: 'robust',
    config: { labelSmoothing: 0.1 },
    range: [-20, 40],
    markers: [],
    tableAt: REFERENCE_POINTS,
    note:
      'Robust DPO (eps = 0.1): the push never fades below beta eps/(1 - 2 eps), ' +
      'since its eps logsig(-beta h) term has no floor: it keeps widening confident margins.',
  },
  {
    id: 'hinge',
    name: 'hinge',
    range: [-20, 40],
    markers: [{ x: 10, label: 'beta h = 1' }],
    tableAt: REFERENCE_POINTS,
    note: 'A constant push of beta until beta h = 1, then exactly none.',
  },
  {
    id: 'ipo',
    name: 'ipo',
    range: [-20, 40],
    markers: [{ x: 5, label: '1/(2 beta)' }],
    tableAt: REFERENCE_POINTS,
    note: 'A spring towards h = 1/(2 beta): past the target the gradient reverses and pulls the margin back.',
  },
  {
    id: 'kto',
    name: 'kto',
    range: [-20, 40],
    markers: [],
    tableAt: REFERENCE_POINTS,
    note: 'Each side is judged against the baseline z0 separately; the push is largest near z0 and fades both ways.',
  },
];

const REFERENCE_FREE: Study[] = [
  {
    id: 'sft',
    name: 'sft',
    range: [-3, 4],
    markers: [],
    tableAt: FREE_POINTS,
    note: 'Only lbar_w moves, at a constant rate: SFT ignores the rejected completion.',
  },
  {
    id: 'simpo',
    name: 'simpo',
    range: [-3, 4],
    markers: [{ x: 0.5, label: 'gamma/beta' }],
    tableAt: FREE_POINTS,
    note: 'The push is halved exactly at Delta = gamma/beta and fades past it: gamma sets where SimPO is satisfied.',
  },
  {
    id: 'cpo',
    name: 'cpo',
    range: [-3, 4],
    markers: [],
    tableAt: FREE_POINTS,
    note: 'A weak sigmoid push (beta = 0.1 on summed log-probs) on top of the NLL that keeps lifting lbar_w.',
  },
  {
    id: 'cpoSimpo',
    name: 'cpoSimpo',
    range: [-3, 4],
    markers: [{ x: 0.5, label: 'gamma/beta' }],
    tableAt: FREE_POINTS,
    note: 'SimPO plus NLL: even at a large margin, lbar_w is still pushed up.',
  },
  {
    id: 'orpo',
    name: 'orpo',
    range: [-3, 4],
    markers: [],
    tableAt: FREE_POINTS,
    note: 'NLL plus the log odds-ratio: as lbar_w approaches 0 its odds explode and the odds term relaxes.',
  },
  {
    id: 'slime',
    name: 'slime',
    range: [-3, 4],
    markers: [
      { x: 1, label: 'm_s' },
      { x: 1.5, label: 'm_h' },
    ],
    tableAt: FREE_POINTS,
    note:
      'The margin term is gated: full push below m_s, fading towards m_h, exactly 0 beyond. ' +
      'The anchor keeps lifting lbar_w; the stabilizer lifts lbar_l once it sinks below -delta, ' +
      'which is why the net push on the margin turns negative past m_h: there the floor is all that is left.',
  },
];

/** Places the pair so that lbar_w = lbar_l + margin stays a valid log-prob (<= 0) over the whole grid. */
function pairAt(margin: number, range: [number, number]): { w: number; l: number } {
  const mid = -range[1] / 2 - 0.25;
  return { w: mid + margin / 2, l: mid - margin / 2 };
}

function sample(study: Study, margin: number): Sample {
  const { w, l } = pairAt(margin, study.range);
  const spec = losses.getLoss(study.name);
  const scalar = (x: number): Tensor => tensor([[x]], { dtype: 'float64' });
  const one = scalar(1);
  // a reference equal on both sides, so the reference margin is 0 and h = lbar_w - lbar_l = margin
  const ref = scalar(pairAt(0, study.range).w);
  const f = (cw: Tensor, cl: Tensor): Tensor =>
    spec.fn(
      {
        chosenLogps: cw,
        chosenMask: one,
        rejectedLogps: cl,
        rejectedMask: one,
        refChosenLogps: ref,
        refRejectedLogps: ref,
      },
      study.config,
    ).loss;
  const [gw, gl] = grad(f, [0, 1])(scalar(w), scalar(l)).map((g) => g.itemSync());
  return {
    margin,
    lbarW: w,
    lbarL: l,
    loss: f(scalar(w), scalar(l)).itemSync(),
    dMargin: (gw - gl) / 2,
    dLbarW: gw,
    dLbarL: gl,
  };
}

function grid([lo, hi]: [number, number], n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

const line = (name: string, xs: readonly Sample[], pick: (s: Sample) => number): ChartSeries => ({
  name,
  points: xs.map((s) => ({ x: s.margin, y: pick(s) })),
});

const fmtNum = (v: number): string =>
  v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toFixed(4);

function table(study: Study, samples: readonly Sample[]): string {
  const rows = samples.map(
    (s) =>
      `| ${fmtNum(s.margin)} | ${fmtNum(s.lbarW)} | ${fmtNum(s.lbarL)} | ${fmtNum(s.loss)} | ` +
      `${fmtNum(s.dMargin)} | ${fmtNum(s.dLbarW)} | ${fmtNum(s.dLbarL)} |`,
  );
  return [
    `### ${study.id === study.name ? study.name : `${study.id}: ${study.name}`}${
      study.config
        ? ` (${Object.entries(study.config)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }`,
    '',
    `\`${losses.getLoss(study.name).formula}\` (${losses.getLoss(study.name).logps} log-probs). ${study.note}`,
    '',
    `![${study.id}](${study.id}.svg)`,
    '',
    '| margin | lbar_w | lbar_l | loss | dL/dmargin | dL/dlbar_w | dL/dlbar_l |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** SLIME's two shaping devices in isolation: the gated dual margin and the per-token floor. */
async function slimeParts(out: string, gridPoints: number): Promise<void> {
  const { mHard, mSoft, kappa, delta, p } = losses.SLIME_DEFAULTS;
  const sigma = (z: number): number => 1 / (1 + Math.exp(-z));
  const gaps = grid([-1, 3], gridPoints);
  const hingePart = (d: number): number => Math.max(0, mHard - d);
  const gate = (d: number): number => sigma(-kappa * (d - mSoft));
  const gateSvg = await lineChart({
    title: 'SLIME dual margin: ReLU(m_h - Delta) x gate',
    xLabel: 'Delta = lbar_w - lbar_l',
    yLabel: 'value',
    series: [
      { name: 'ReLU(m_h - Delta)', points: gaps.map((d) => ({ x: d, y: hingePart(d) })) },
      { name: 'gate sigma(-kappa (Delta - m_s))', points: gaps.map((d) => ({ x: d, y: gate(d) })) },
      { name: 'L_dist (lambda_d = 1)', points: gaps.map((d) => ({ x: d, y: hingePart(d) * gate(d) })) },
      {
        name: '-dL_dist/dDelta (the push)',
        points: gaps.map((d) => ({
          x: d,
          y: d >= mHard ? 0 : gate(d) + kappa * hingePart(d) * gate(d) * (1 - gate(d)),
        })),
      },
    ],
    markers: [
      { x: mSoft, label: 'm_s' },
      { x: mHard, label: 'm_h' },
    ],
  });
  const logps = grid([-8, 0], gridPoints);
  const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  const floorSvg = await lineChart({
    title: 'SLIME stabilizer per rejected token: softplus(-l - delta)^p',
    xLabel: 'rejected token log-prob l_t',
    yLabel: 'value (lambda_l = 1)',
    series: [
      { name: 'softplus(-l - delta)^p', points: logps.map((l) => ({ x: l, y: softplus(-l - delta) ** p })) },
      // d/dl softplus(-l - delta)^p = -p softplus(.)^(p-1) sigma(-l - delta): always < 0, so descent raises l
      {
        name: 'd/dl_t (always < 0)',
        points: logps.map((l) => ({ x: l, y: -p * softplus(-l - delta) ** (p - 1) * sigma(-l - delta) })),
      },
    ],
    markers: [{ x: -delta, label: '-delta' }],
  });
  await writeFile(join(out, 'slime-gate.svg'), gateSvg);
  await writeFile(join(out, 'slime-floor.svg'), floorSvg);
}

/** All losses of a family on one chart: the push each puts on the margin. */
async function overview(
  out: string,
  file: string,
  title: string,
  studies: readonly Study[],
  all: ReadonlyMap<string, Sample[]>,
): Promise<void> {
  const series = studies.map((s) =>
    line(
      s.config
        ? `${s.id} (${Object.entries(s.config)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : s.id,
      all.get(s.id) ?? [],
      (v) => -v.dMargin,
    ),
  );
  await writeFile(
    join(out, file),
    await lineChart({ title, xLabel: 'margin', yLabel: 'push on the margin (-dL/dmargin)', series, width: 560 }),
  );
}

/**
 * Writes every chart and anatomy.md into `out`; returns the files written.
 * `gridPoints` sets the charts' resolution.
 */
export async function writeLossAnatomy(out: string, gridPoints = 121): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const studies = [...REFERENCE_FAMILY, ...REFERENCE_FREE];
  const all = new Map<string, Sample[]>();
  const sections: string[] = [];
  for (const study of studies) {
    const samples = grid(study.range, gridPoints).map((m) => sample(study, m));
    all.set(study.id, samples);
    const svg = await lineChart({
      title: `${study.id}: loss and gradients over the margin`,
      xLabel: 'margin (h for reference losses, lbar_w - lbar_l otherwise)',
      yLabel: 'value',
      series: [
        line('loss', samples, (s) => s.loss),
        line('dL/dmargin', samples, (s) => s.dMargin),
        line('dL/dlbar_w', samples, (s) => s.dLbarW),
        line('dL/dlbar_l', samples, (s) => s.dLbarL),
      ],
      markers: study.markers,
    });
    await writeFile(join(out, `${study.id}.svg`), svg);
    sections.push(
      table(
        study,
        study.tableAt.map((m) => sample(study, m)),
      ),
    );
  }
  await overview(
    out,
    'overview-reference.svg',
    'Reference losses (IPO apart: its spring is 100x stronger): the push on h',
    REFERENCE_FAMILY.filter((s) => s.name !== 'ipo'),
    all,
  );
  await overview(
    out,
    'overview-reference-free.svg',
    'Reference-free losses: how hard each pushes lbar_w - lbar_l',
    REFERENCE_FREE,
    all,
  );
  await slimeParts(out, gridPoints);
  const doc = [
    '# Loss anatomy',
    '',
    "One pair with one completion token a side, so lbar = sum-l = that token's log-prob. The reference model puts the",
    'same log-prob on both completions, so for reference losses h = lbar_w - lbar_l = the margin. dL/dmargin is the',
    'derivative along the direction that raises lbar_w and lowers lbar_l by half a step each; "push" is its negative.',
    'For a loss of the margin alone, dL/dmargin = dL/dlbar_w = -dL/dlbar_l, so in its chart two lines coincide; where',
    'they part (CPO, ORPO, SLIME...), a term acts on one completion by itself.',
    'Defaults are those of docs/losses.md. Generated by `npx tsx examples/loss-anatomy.ts`.',
    '',
    '![reference losses](overview-reference.svg) ![reference-free losses](overview-reference-free.svg)',
    '',
    'SLIME, part by part: ![the gated margin](slime-gate.svg) ![the floor](slime-floor.svg)',
    '',
    ...sections,
  ].join('\n');
  await writeFile(join(out, 'anatomy.md'), doc);
  return [
    'anatomy.md',
    'overview-reference.svg',
    'overview-reference-free.svg',
    'slime-gate.svg',
    'slime-floor.svg',
    ...studies.map((s) => `${s.id}.svg`),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--out');
  const out = resolve(i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : 'runs/loss-anatomy');
  const files = await writeLossAnatomy(out);
  console.log(`wrote ${files.length} files to ${out}: ${files.join(', ')}`);
}
