// The cost floor of putting any process between a client and a stdio server: spawn the server
// and copy bytes both ways, nothing else. Usage: node bench/bare-pipe.mjs CMD [ARGS…]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node bench/bare-pipe.mjs CMD [ARGS…]\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);
child.stdin.on('error', () => {}); // the child may exit before reading everything
child.on('error', (err) => {
  process.stderr.write(`bare-pipe: ${err.message}\n`);
  process.exit(1);
});
child.on('close', (code, signal) => process.exit(code ?? (signal === null ? 1 : 0)));
// Some servers (server-everything among them) ignore stdin EOF, so end them after a grace period.
process.stdin.on('end', () => setTimeout(() => child.kill('SIGTERM'), 1000));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill('SIGTERM'));
