import { parentPort } from 'node:worker_threads';
import { Template } from '@huggingface/jinja';
parentPort!.on('message', (m: string) => { try { parentPort!.postMessage(new Template(m).render({})); } catch (e) { parentPort!.postMessage('ERR ' + (e as Error).message); } });
