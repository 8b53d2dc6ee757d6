#!/usr/bin/env node
import { doctorCommand } from './commands/doctor.js';
import { logsCommand } from './commands/logs.js';
import { serverCommand } from './commands/server.js';

/** One entry per `fogbank <command>`. */
const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }> = {
  server: { summary: 'start Fogbank (the Lambda API on --port, default 4566)', run: serverCommand },
  logs: { summary: "print a function's logs (--follow to keep printing)", run: logsCommand },
  doctor: {
    summary: 'report isolation, cgroups and runtimes this machine offers',
    run: doctorCommand,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `Usage: fogbank <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : COMMANDS[name];
if (!command) {
  process.stderr.write(usage());
  process.exitCode = name === undefined || name === '--help' || name === 'help' ? 0 : 2;
} else {
  command.run(rest).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `fogbank ${name}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
