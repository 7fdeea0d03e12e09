// The lab page: three tabs (the loss explorer, live training in a worker, a report viewer). Its state is left on
// `window.slimegradLab` for the automated browser tests.

import { Explorer } from './explorer.js';
import { charts } from './chart.js';
import { TrainTab } from './train-ui.js';
import { ReportTab } from './report-ui.js';

const explorer = new Explorer(document.getElementById('explore')!);
const train = new TrainTab(document.getElementById('train')!);
const report = new ReportTab(document.getElementById('report')!);

/** Tabs operable from the keyboard: arrows move between them, as in the WAI-ARIA tabs pattern. */
function setUpTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('nav [role=tab]')];
  const select = (tab: HTMLButtonElement): void => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')!)!.hidden = !on;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      select(next);
      next.focus();
    });
  });
}

setUpTabs();
(window as unknown as { slimegradLab: unknown }).slimegradLab = { explorer, train, report, charts };
