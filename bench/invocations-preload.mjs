// Loaded into the relay by bench/invocations.mjs (`node --import`): counts every JavaScript
// function's calls, exactly, over a window after the warm-up (V8's precise coverage), and writes
// them to INVOCATIONS_OUT when the window closes.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
const delay = Number(process.env.INVOCATIONS_DELAY_MS ?? 2500);
const length = Number(process.env.INVOCATIONS_WINDOW_MS ?? 2000);
const out = process.env.INVOCATIONS_OUT;
setTimeout(() => {
  // Taking the coverage resets the counts: what the second take returns is the window's alone.
  session.post('Profiler.takePreciseCoverage', () => {
    setTimeout(() => {
      session.post('Profiler.takePreciseCoverage', (err, taken) => {
        if (err === null && out !== undefined) writeFileSync(out, JSON.stringify(taken.result));
      });
    }, length).unref();
  });
}, delay).unref();
