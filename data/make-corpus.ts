// Generates tiny-corpus.txt: short stories from a small hand-written grammar, so the text is original and free of
// copyright, yet regular enough that a tiny byte-level GPT learns words and sentence shapes in minutes.
// Run: npx tsx data/make-corpus.ts  (deterministic: the same seed writes the same file)

import { writeFileSync } from 'node:fs';
import { Rng, philox4x32 } from '../src/index.js';

const rng = new Rng(2024);
const pick = <T>(xs: readonly T[]): T => {
  const [w] = philox4x32([rng.counter++, 7, 0, 0], [rng.seed, 0]);
  return xs[w % xs.length];
};

const people = ['the old fisherman', 'a young baker', 'the quiet teacher', 'my grandmother', 'the tall farmer', 'a small girl', 'the tired miller', 'a clever boy', 'the ship captain', 'the village doctor'];
const pronoun: Record<string, string> = {
  'the old fisherman': 'he', 'a young baker': 'she', 'the quiet teacher': 'she', 'my grandmother': 'she', 'the tall farmer': 'he',
  'a small girl': 'she', 'the tired miller': 'he', 'a clever boy': 'he', 'the ship captain': 'she', 'the village doctor': 'he',
};
const places = ['the harbor', 'the market', 'the mill', 'the old bridge', 'the green hill', 'the bakery', 'the school', 'the river bank', 'the forest path', 'the church square'];
const times = ['at dawn', 'in the morning', 'at noon', 'in the evening', 'after the rain', 'before supper', 'on sunday', 'late at night'];
const objects = ['a basket of apples', 'the blue net', 'a warm loaf of bread', 'an old map', 'a jar of honey', 'a bundle of wood', 'a letter', 'a red lantern', 'a bag of flour', 'a little dog'];
const verbsTo = ['walks to', 'runs to', 'goes back to', 'hurries to', 'wanders to', 'rides to'];
const verbsObj = ['carries', 'finds', 'mends', 'sells', 'buys', 'paints', 'hides', 'gives away'];
const feelings = ['happy', 'sleepy', 'hungry', 'cold', 'proud', 'worried', 'calm', 'curious'];
const weather = ['the sky is grey', 'the sun is bright', 'the wind is strong', 'snow falls softly', 'the air smells of salt', 'a storm is coming'];
const sayings = ['the sea gives and the sea takes', 'bread tastes better when it is shared', 'a slow river still reaches the sea', 'many hands make light work', 'the road is long but the company is good'];

function sentence(who: string): string {
  const he = pronoun[who];
  switch (pick([0, 1, 2, 3, 4, 5])) {
    case 0: return `${who} ${pick(verbsTo)} ${pick(places)} ${pick(times)}.`;
    case 1: return `${he} ${pick(verbsObj)} ${pick(objects)} near ${pick(places)}.`;
    case 2: return `${pick(times)}, ${pick(weather)}, and ${he} feels ${pick(feelings)}.`;
    case 3: return `"${pick(sayings)}," says ${who}.`;
    case 4: return `${he} ${pick(verbsObj)} ${pick(objects)} and ${pick(verbsTo)} ${pick(places)}.`;
    default: return `at ${pick(places)}, ${who} meets ${pick(people)} and they talk about ${pick(objects)}.`;
  }
}

const stories: string[] = [];
let size = 0;
while (size < 120_000) {
  const who = pick(people);
  const n = 3 + (rng.counter % 4);
  const lines = Array.from({ length: n }, () => sentence(who));
  const story = lines.map((l) => l.replace(/^("?)(.)/, (_, quote: string, first: string) => quote + first.toUpperCase())).join(' ');
  stories.push(story);
  size += story.length + 1;
}
writeFileSync(new URL('./tiny-corpus.txt', import.meta.url), `${stories.join('\n')}\n`);
console.log(`wrote ${stories.length} stories, ${size} bytes`);
