import { Worker } from 'node:worker_threads';
const t0 = Date.now();
const limits = JSON.parse(process.argv[2]);
const tpl = process.argv[3];
const w = new Worker(`import('tsx/esm/api').then(a => { a.register(); return import(${JSON.stringify(new URL('./_w.ts', import.meta.url).href)}); })`, { eval: true, resourceLimits: limits });
w.on('message', (m) => { console.log('msg', String(m).slice(0, 80), Date.now() - t0); w.terminate(); });
w.on('error', (e) => { console.log('error', (e as any).code, e.message, Date.now() - t0); });
w.on('exit', (c) => { console.log('exit', c, Date.now() - t0, process.memoryUsage().rss >> 20); });
w.postMessage(tpl);
