// The hostile-input corpus for imports and templates (issue 10, classes 1-3, 5, 6): model trees and
// templates a tenant can put in its own bucket or upload, each built to cost the registry time,
// memory, a thread or a disk. The request corpus is corpus.ts; this is its file-tree counterpart.
import { execFileSync } from 'node:child_process';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const MiB = 1024 * 1024;

/** Templates whose cost the author controls. */
export const HOSTILE_TEMPLATES = {
  /** Quadratic in the template library's lexer: ~100 s on the event loop at 256 KiB. */
  whitespace: (bytes = 256 * 1024 - 64) => `${' '.repeat(bytes)}{{ messages[0].content }}`,
  /** Allocates a 200M-element list: a V8 heap OOM wherever it runs. */
  hugeRange: '{% for i in range(200000000) %}{{ i }}{% endfor %}',
  /** 10^8 loop iterations, little memory: pure CPU time. */
  cpuLoop: '{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}{{ messages[0].content }}',
} as const;

/** A config.json of `bytes` bytes that nests arrays `depth` levels deep under a valid config. */
export function nestedConfig(bytes: number, depth: number): Buffer {
  const head = '{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":16,"num_attention_heads":4,"max_position_embeddings":2048,"x":';
  const open = '['.repeat(depth);
  const close = ']'.repeat(depth);
  const filler = Math.max(0, bytes - head.length - open.length - close.length - 1);
  // Filler as a long run of small numbers inside the innermost array.
  const inner = '0,'.repeat(Math.floor(filler / 2)).replace(/,$/, '') || '0';
  return Buffer.from(`${head}${open}${inner}${close}}`);
}

/** A .safetensors file whose 8-byte prefix announces a JSON header of `headerBytes` bytes, all present. */
export async function writeHugeHeaderSafetensors(file: string, headerBytes: number): Promise<void> {
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes));
  const open = Buffer.from('{"__metadata__":{"pad":"');
  const close = Buffer.from('"}}');
  const fh = await fsp.open(file, 'w');
  try {
    await fh.write(prefix);
    await fh.write(open);
    let left = headerBytes - open.length - close.length;
    const chunk = Buffer.alloc(4 * MiB, 'a');
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      await fh.write(chunk, 0, n);
      left -= n;
    }
    await fh.write(close);
  } finally {
    await fh.close();
  }
}

/** A sparse file: `size` bytes long, a few KiB allocated. */
export function writeSparse(file: string, size: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.from('sparse'), 0, 6, 0);
    fs.ftruncateSync(fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `file` by a FIFO (no writer ever opens it: a blocking open or read would hang forever). */
export function swapForFifo(file: string): void {
  const tmp = `${file}.fifo-${process.pid}`;
  execFileSync('mkfifo', [tmp]);
  fs.renameSync(tmp, file);
}

/** Resolves once `check` holds, polling every few ms (for races that must be won, not slept through). */
export async function when(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

/**
 * Samples /healthz every `everyMs` while running; `stop()` gives the slowest answer in ms. The client
 * shares the server's process in tests, so a blocked event loop shows up as one long answer.
 */
export function watchHealthz(url: string, everyMs = 50): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      worst = Math.max(worst, performance.now() - t);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
}

/** A valid .safetensors file of `count` one-byte U8 tensors: a header of ~60 bytes per tensor. */
export async function writeManyTensorSafetensors(file: string, count: number): Promise<void> {
  const parts: string[] = ['{"__metadata__":{"format":"pt"}'];
  for (let i = 0; i < count; i++) parts.push(`,"t.${i}":{"dtype":"U8","shape":[1],"data_offsets":[${i},${i + 1}]}`);
  parts.push('}');
  let header = Buffer.from(parts.join(''));
  const pad = (8 - (header.length % 8)) % 8;
  header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  await fsp.writeFile(file, Buffer.concat([prefix, header, Buffer.alloc(count, 1)]));
}
