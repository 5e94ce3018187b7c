/**
 * The examples menu. An example is one or more cells: the editor gets the first, and each
 * Run loads the next, so multi-cell examples show state carrying over between cells.
 */

export interface Example {
  id: string;
  title: string;
  cells: string[];
  /** The cells where the session has no shared memory (`session.crossOriginIsolated` false), if they differ. */
  cellsWithoutSharedMemory?: string[];
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

const pythonChart = `# A bar chart as SVG: an object with _repr_svg_ displays as an image.
data = {"Mon": 12, "Tue": 19, "Wed": 7, "Thu": 23, "Fri": 15, "Sat": 9, "Sun": 4}
top = max(data.values())

class Chart:
    def __init__(self, data):
        self.data = data

    def _repr_svg_(self):
        bars = []
        for i, (day, n) in enumerate(self.data.items()):
            h = n / top * 140
            bars.append(
                f'<rect x="{20 + i * 48}" y="{170 - h}" width="36" height="{h}" rx="4" fill="hsl({200 + i * 12} 70% 55%)"/>'
                f'<text x="{38 + i * 48}" y="190" text-anchor="middle" font-size="12">{day}</text>'
            )
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="370" height="200" font-family="sans-serif">{"".join(bars)}</svg>'

display(Chart(data))
f"max: {top}"`;

/** The examples of a Python tab: the same ideas as the JavaScript ones, in Python. */
export const PYTHON_EXAMPLES: Example[] = [
  {
    id: 'persist',
    title: 'Variables persist across cells',
    cells: [
      `# Top-level names live in the session, like a notebook.
counter = 0

def bump():
    global counter
    counter += 1
    return counter

greet = lambda name: f"Hello, {name}!"`,
      `# A later cell sees them (and the inspector on the right lists them).
bump()
bump()
print(greet("sandcell"))
counter`,
    ],
  },
  {
    id: 'infinite-loop',
    title: 'Stop a loop that swallows exceptions',
    cells: [
      `# Press Stop (or Ctrl+.): the stop cannot be caught, not even by except BaseException.
spins = 0
while True:
    try:
        spins += 1
        if spins % 1_000_000 == 0:
            print(f"{spins:,} spins… press Stop")
    except BaseException:
        pass`,
      `# The session survives the interrupt, and keeps what the loop did.
f"spun {spins:,} times"`,
    ],
  },
  {
    id: 'top-level-await',
    title: 'Top-level await',
    cells: [
      `import asyncio

for i in range(1, 4):
    await asyncio.sleep(0.3)
    print(f"tick {i}")
answer = await asyncio.gather(asyncio.sleep(0.1, result=42))
answer[0]`,
    ],
  },
  { id: 'svg-chart', title: 'SVG chart (rich display)', cells: [pythonChart] },
  {
    id: 'html-display',
    title: 'HTML display (sandboxed iframe)',
    cells: [
      `# _repr_html_ renders in a sandboxed iframe, never in the page itself.
class Card:
    def _repr_html_(self):
        return '<h3 style="font-family:sans-serif">Hello from Python</h3><p>Scripts here cannot reach the playground.</p>'

display(Card())`,
    ],
  },
  {
    id: 'input',
    title: 'Ask for input()',
    cells: [
      `# input() asks the page; answer in the box that appears under the cell.
your_name = input("What is your name?")
f"Nice to meet you, {your_name}!"`,
    ],
    cellsWithoutSharedMemory: [
      `# input() asks the page; answer in the box that appears under the cell.
# Without shared memory (see the note at the top) input() cannot block: await it.
your_name = await input("What is your name?")
f"Nice to meet you, {your_name}!"`,
    ],
  },
  {
    id: 'blocked-fetch',
    title: 'Blocked fetch under the sandbox policy',
    cells: [
      `# Under 'sandbox' the network is off: the browser's fetch raises PolicyError.
# Open a session with the 'standard' policy to allow it.
import js

try:
    await js.fetch("https://example.com/")
except Exception as error:
    print(f"{type(error).__name__}: {error}")`,
    ],
  },
  {
    id: 'errors',
    title: 'Errors point into your cell',
    cells: [
      `def average(values):
    return sum(values) / len(values)

print(average([1, 2, 3]))
average([])  # line 5: ZeroDivisionError`,
    ],
  },
  {
    id: 'timeout',
    title: 'Time limit',
    cells: [
      `# With a time limit set in the toolbar, a runaway cell ends as "timeout".
import time
time.sleep(60)`,
    ],
  },
];
