// The lab's loss explorer in headless chromium: the page loads without console errors, is driven from the keyboard,
// and the loss and gradients it displays equal slimegrad's losses called here in Node on the same pair.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { losses, tensor, type Tensor } from '../../src/index.js';
import { available, openLab, screenshot, type LabSession } from './browser.js';

interface Shown {
  loss: string;
  config: Record<string, number>;
  overlay: string | null;
  layout: { centre: number; tokens: number };
  probe: number;
}

/** The pair the explorer describes, built here independently: every token of a side at the same log-prob. */
function nodeValues(
  name: string,
  config: Record<string, number>,
  s: Shown,
): { loss: number; gradChosen: number; gradRejected: number } {
  const row = (v: number): Tensor => tensor([new Array<number>(s.layout.tokens).fill(v)], { dtype: 'float64' });
  const chosen = row(s.layout.centre + s.probe / 2).requireGrad();
  const rejected = row(s.layout.centre - s.probe / 2).requireGrad();
  const fns: Record<string, typeof losses.dpo> = {
    dpo: losses.dpo,
    slime: losses.slime,
    simpo: losses.simpo,
    kto: losses.kto,
    orpo: losses.orpo,
  };
  const out = fns[name](
    {
      chosenLogps: chosen,
      chosenMask: row(1),
      rejectedLogps: rejected,
      rejectedMask: row(1),
      refChosenLogps: row(s.layout.centre),
      refRejectedLogps: row(s.layout.centre),
    },
    config,
  );
  out.loss.backward();
  const total = (t: Tensor): number => Array.from(t.grad!.dataSync()).reduce((a, b) => a + b, 0);
  return { loss: out.loss.dataSync()[0], gradChosen: total(chosen), gradRejected: total(rejected) };
}

describe.skipIf(!available)('the lab: loss explorer', () => {
  let lab: LabSession;
  beforeAll(async () => {
    lab = await openLab();
    await lab.page.waitForFunction(
      () => (window as unknown as { slimegradLab?: { explorer: { state: unknown } } }).slimegradLab?.explorer.state,
    );
  });
  afterAll(async () => lab?.close());

  const shown = (): Promise<Shown> =>
    lab.page.evaluate(
      () => (window as unknown as { slimegradLab: { explorer: { state: Shown } } }).slimegradLab.explorer.state,
    );
  const displayed = async (prefix: string): Promise<{ loss: number; gradChosen: number; gradRejected: number }> => {
    const read = async (k: string): Promise<number> =>
      Number(await lab.page.getAttribute(`#${prefix}-${k}`, 'data-value'));
    return { loss: await read('loss'), gradChosen: await read('gradChosen'), gradRejected: await read('gradRejected') };
  };
  const expectClose = (a: Record<string, number>, b: Record<string, number>): void => {
    for (const k of Object.keys(b)) expect(a[k], k).toBeCloseTo(b[k], 12);
  };

  it('loads with no console errors and draws every explorer chart', async () => {
    expect(lab.errors).toEqual([]);
    const counts = await lab.page.evaluate(() => {
      const charts = (window as unknown as { slimegradLab: { charts: Map<string, { pointCounts(): number[] }> } })
        .slimegradLab.charts;
      return Object.fromEntries([...charts].map(([k, c]) => [k, c.pointCounts()]));
    });
    expect(counts['Loss against the margin']).toEqual([81]);
    expect(counts['Gradient against the margin']).toEqual([81, 81]);
    expect(counts["SLIME's stabilizer for one rejected token"]).toEqual([101, 101]);
    await screenshot(lab.page, 'explorer-slime');
  });

  it('shows the same SLIME values as losses.slime in Node, after keyboard changes to a slider and the pair', async () => {
    await lab.page.focus('#param-mHard');
    for (let i = 0; i < 4; i++) await lab.page.keyboard.press('ArrowRight'); // m_h 1.5 -> 1.7
    await lab.page.focus('#tokens');
    await lab.page.keyboard.press('ArrowRight'); // 2 tokens per completion
    const s = await shown();
    expect(s.config.mHard).toBeCloseTo(1.7, 12);
    expect(s.layout.tokens).toBe(2);
    expectClose(await displayed('probe'), nodeValues('slime', s.config, s));
  });

  it('draws every loss of the registry with finite values, even at the extremes of the pair', async () => {
    await lab.page.focus('#centre');
    await lab.page.keyboard.press('End'); // the centre nearest 0: the chosen lbar reaches -0.5 at margin 4
    for (const name of losses.lossNames()) {
      await lab.page.selectOption('#loss', name);
      const drawn = await lab.page.evaluate(() => {
        const charts = (window as unknown as { slimegradLab: { charts: Map<string, { pointCounts(): number[] }> } })
          .slimegradLab.charts;
        return [
          charts.get('Loss against the margin')!.pointCounts(),
          charts.get('Gradient against the margin')!.pointCounts(),
        ];
      });
      expect(drawn, name).toEqual([[81], [81, 81]]);
    }
    await lab.page.click('#pair .reset >> nth=0');
    expect((await shown()).layout.centre).toBe(-3);
    expect(lab.errors).toEqual([]);
  });

  it('shows DPO overlaid on SimPO with the values losses.simpo and losses.dpo give in Node', async () => {
    await lab.page.selectOption('#loss', 'simpo');
    await lab.page.selectOption('#overlay', 'dpo');
    await lab.page.focus('#param-gamma');
    await lab.page.keyboard.press('End'); // gamma at its maximum, 5
    await lab.page.focus('#probe');
    await lab.page.keyboard.press('Home'); // margin -4
    const s = await shown();
    expect(s.loss).toBe('simpo');
    expect(s.config.gamma).toBe(5);
    expect(s.probe).toBe(-4);
    expectClose(await displayed('probe'), nodeValues('simpo', s.config, s));
    expectClose(await displayed('probe-overlay'), nodeValues('dpo', {}, s));
    await screenshot(lab.page, 'explorer-simpo-vs-dpo');
    expect(lab.errors).toEqual([]);
  });
});
