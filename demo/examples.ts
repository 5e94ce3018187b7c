/**
 * The examples menu. An example is one or more cells: the editor gets the first, and each
 * Run loads the next, so multi-cell examples show state carrying over between cells.
 */

export interface Example {
  id: string;
  title: string;
  cells: string[];
}

const svgChart = `// Build an SVG bar chart as a string and display it as a rich output.
const data = { Mon: 12, Tue: 19, Wed: 7, Thu: 23, Fri: 15, Sat: 9, Sun: 4 };
const max = Math.max(...Object.values(data));
const bars = Object.entries(data).map(([day, n], i) => {
  const h = (n / max) * 140;
  return \`<rect x="\${20 + i * 48}" y="\${170 - h}" width="36" height="\${h}" rx="4" fill="hsl(\${200 + i * 12} 70% 55%)"/>
    <text x="\${38 + i * 48}" y="190" text-anchor="middle" font-size="12">\${day}</text>
    <text x="\${38 + i * 48}" y="\${164 - h}" text-anchor="middle" font-size="11">\${n}</text>\`;
});
const svg = \`<svg xmlns="http://www.w3.org/2000/svg" width="370" height="200" font-family="sans-serif">\${bars.join('')}</svg>\`;
display({ 'image/svg+xml': svg }, { raw: true });
\`max: \${max}\``;

export const EXAMPLES: Example[] = [
  {
    id: 'persist',
    title: 'Variables persist across cells',
    cells: [
      `// Top-level declarations live in the session, like a notebook.
let counter = 0;
const greet = (name) => \`Hello, \${name}!\`;
function bump() {
  return ++counter;
}`,
      `// A later cell sees them (and the inspector on the right lists them).
bump();
bump();
console.log(greet('sandcell'));
counter`,
    ],
  },
  {
    id: 'infinite-loop',
    title: 'Stop an infinite loop',
    cells: [
      `// Press Stop (or Ctrl+.) — the page never freezes: the cell runs in a worker.
let spins = 0;
while (true) {
  spins++;
}`,
      `// The session survives the interrupt, and keeps what the loop did.
\`spun \${spins.toLocaleString()} times\``,
    ],
  },
  {
    id: 'top-level-await',
    title: 'Top-level await',
    cells: [
      `const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 1; i <= 3; i++) {
  await sleep(300);
  console.log(\`tick \${i}\`);
}
const answer = await Promise.resolve(42);
answer`,
    ],
  },
  { id: 'svg-chart', title: 'SVG chart (rich display)', cells: [svgChart] },
  {
    id: 'html-display',
    title: 'HTML display (sandboxed iframe)',
    cells: [
      `// HTML from a cell renders in a sandboxed iframe, never in the page itself.
display({
  'text/html': '<h3 style="font-family:sans-serif">Hello from a cell</h3><p>Scripts here cannot reach the playground.</p>',
}, { raw: true });`,
    ],
  },
  {
    id: 'input',
    title: 'Ask for input()',
    cells: [
      `// input() asks the page; answer in the box that appears under the cell.
const yourName = await input('What is your name?');
\`Nice to meet you, \${yourName}!\``,
    ],
  },
  {
    id: 'blocked-fetch',
    title: 'Blocked fetch under the sandbox policy',
    cells: [
      `// Under 'sandbox' the network is off: fetch exists but throws PolicyError.
// Open a session with the 'standard' policy to allow it.
try {
  await fetch('https://example.com/');
} catch (error) {
  console.error(\`\${error.name}: \${error.message}\`);
}`,
    ],
  },
  {
    id: 'errors',
    title: 'Errors point into your cell',
    cells: [
      `const data = [1, 2, 3];
console.log(data.map((x) => x * 2));
data.missing.length; // line 3: TypeError`,
    ],
  },
  {
    id: 'timeout',
    title: 'Time limit',
    cells: [
      `// With a time limit set in the toolbar, a runaway cell ends as "timeout".
const end = Date.now() + 60_000;
while (Date.now() < end) {}`,
    ],
  },
];
