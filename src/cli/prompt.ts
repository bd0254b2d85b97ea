// Questions on the terminal: a yes/no before deleting, and a secret read without echo.
import readline from 'node:readline';
import { usageError } from './output.js';

/** Asks on a terminal; without one, refuses unless --yes was given (scripts must say so). */
export async function confirmOrYes(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw usageError(`${question.replace(/\?$/, '')}: pass --yes to confirm (standard input is not a terminal, so there is no one to ask)`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw usageError('not confirmed; nothing was deleted');
}

/** Reads one line from the terminal with echo off (the secret is not shown, nor kept in history). */
export function readSecretFromTty(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, so nothing typed after it is ever echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(usageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
