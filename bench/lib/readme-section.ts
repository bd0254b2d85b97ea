// Each benchmark owns one generated block of bench/README.md, between its own markers; the prose
// around the blocks is written by hand and left alone.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

/** Replaces the block named `name` (adds a section `title` with `intro` when it is missing). */
export function writeReadmeBlock(name: string, title: string, intro: string, markdown: string): void {
  const begin = `<!-- bench:${name}:begin (written by npm run bench:${name}) -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${begin}\n${markdown}\n${end}`;
  let text = fs.existsSync(README) ? fs.readFileSync(README, 'utf8') : '# Benchmarks\n';
  if (text.includes(begin) && text.includes(end)) {
    text = text.slice(0, text.indexOf(begin)) + block + text.slice(text.indexOf(end) + end.length);
  } else {
    text = `${text.replace(/\n*$/, '\n')}\n## ${title}\n\n${intro}\n\n${block}\n`;
  }
  fs.writeFileSync(README, text);
}
