// Does a LoRA adapter fit its base model? Checked against the base's tensor names and shapes (as
// recorded from its safetensors headers at import), the way PEFT and vLLM would find out at load
// time, but before anyone deploys it:
//  * every target module exists in the base (PEFT matches a target by full name or '.'-suffix);
//  * every LoRA tensor's module is a base layer, within the base's layer count;
//  * lora_A is [r, in_features] and lora_B is [out_features, r] of that layer (nn.Linear stores its
//    weight as [out_features, in_features]; fan_in_fan_out adapters (GPT-2 Conv1D) the other way);
//    lora_embedding_A is [r, num_embeddings] and lora_embedding_B [embedding_dim, r];
//  * modules_to_save copies and LoRA biases have the base tensor's shape.
// A mismatch throws ModelValidationError naming the tensor.
import { ModelValidationError } from './model-validation-error.js';
import { fmt, type AdapterInspection, type LoraTensor } from './peft-adapter.js';

/** Base tensor name → shape. */
export type TensorShapes = Readonly<Record<string, readonly number[]>>;

export interface BaseModelShapes {
  /** How the base is named in messages, e.g. "base llama/V1 (amv-…)". */
  label: string;
  shapes: TensorShapes;
}

const LAYER_INDEX = /\.(\d+)(?=\.|$)/;

/**
 * A base with tie_word_embeddings stores no lm_head.weight: its output layer is the input embedding
 * (same [vocab, hidden] shape), which is what an adapter of lm_head then adapts.
 */
function withTiedHead(shapes: TensorShapes): TensorShapes {
  if (shapes['lm_head.weight']) return shapes;
  const embed = shapes['model.embed_tokens.weight'] ?? shapes['transformer.wte.weight'] ?? shapes['model.embed_in.weight'];
  return embed ? { ...shapes, 'lm_head.weight': embed } : shapes;
}

export function checkAdapterFits(adapter: AdapterInspection, base: BaseModelShapes): void {
  const { label } = base;
  const shapes = withTiedHead(base.shapes);
  const modules = baseModules(shapes);
  const layerSets = layerIndexSets(modules);
  const { config } = adapter;

  if (Array.isArray(config.targetModules)) {
    for (const target of config.targetModules) {
      if (![...modules].some((m) => m === target || m.endsWith(`.${target}`))) {
        throw new ModelValidationError(
          `target module "${target}" (adapter_config.json target_modules) does not exist in ${label}; its weight modules are ${leafNames(modules)}`,
          'adapter_config.json',
        ).as('AdapterDoesNotFitBase');
      }
    }
  }
  for (const l of config.layersToTransform ?? []) {
    const count = largestLayerCount(layerSets);
    if (count > 0 && l >= count) {
      throw new ModelValidationError(`adapter_config.json layers_to_transform names layer ${l}, but ${label} has ${count} layers (0-${count - 1})`, 'adapter_config.json').as('AdapterDoesNotFitBase');
    }
  }

  for (const t of adapter.tensors) {
    const baseName = `${t.module}.${t.role === 'bias' ? 'bias' : 'weight'}`;
    const baseShape = shapes[baseName];
    if (!baseShape) throw missingModule(t, baseName, layerSets, label);
    if (t.role === 'saved' || t.role === 'bias') {
      if (!sameShape(t.shape, baseShape)) throw mismatch(t, `must have the base tensor's shape`, baseName, baseShape);
      continue;
    }
    if (t.role === 'magnitude') continue; // DoRA: one value per output feature, checked by PEFT itself
    if (baseShape.length !== 2) {
      throw new ModelValidationError(`tensor ${t.name} adapts ${baseName}, which is ${fmt(baseShape)} in ${label}: LoRA needs a 2-D linear or embedding weight`, 'adapter_model.safetensors').as('AdapterDoesNotFitBase');
    }
    const r = t.role === 'lora_A' || t.role === 'lora_embedding_A' ? (t.shape[0] as number) : (t.shape[1] as number);
    let out: number, inn: number;
    if (t.role === 'lora_embedding_A' || t.role === 'lora_embedding_B') {
      // nn.Embedding weight: [num_embeddings, embedding_dim]; A = [r, num_embeddings], B = [embedding_dim, r].
      [inn, out] = baseShape as [number, number];
    } else if (config.fanInFanOut) {
      [inn, out] = baseShape as [number, number];
    } else {
      [out, inn] = baseShape as [number, number];
    }
    const isA = t.role === 'lora_A' || t.role === 'lora_embedding_A';
    const expected = isA ? [r, inn] : [out, r];
    if (!sameShape(t.shape, expected)) {
      const what = isA ? `${t.role} must be [r, in_features] = ${fmt(expected)}` : `${t.role} must be [out_features, r] = ${fmt(expected)}`;
      throw mismatch(t, what, baseName, baseShape, `out_features ${out}, in_features ${inn}`);
    }
  }
}

function mismatch(t: LoraTensor, rule: string, baseName: string, baseShape: readonly number[], dims?: string): ModelValidationError {
  return new ModelValidationError(
    `adapter tensor ${t.name} has shape ${fmt(t.shape)}, but the base layer ${baseName} is ${fmt(baseShape)}${dims ? ` (${dims})` : ''}: ${rule}`,
    'adapter_model.safetensors',
  ).as('AdapterDoesNotFitBase');
}

function missingModule(t: LoraTensor, baseName: string, layerSets: Map<string, Set<number>>, label: string): ModelValidationError {
  const m = LAYER_INDEX.exec(t.module);
  if (m) {
    const template = t.module.replace(LAYER_INDEX, '.*');
    const layers = layerSets.get(template);
    if (layers && layers.size > 0) {
      const n = Math.max(...layers) + 1;
      return new ModelValidationError(
        `adapter tensor ${t.name} targets layer ${m[1]}, but ${label} has ${n} layers (0-${n - 1}): the adapter was trained on a deeper model`,
        'adapter_model.safetensors',
      ).as('AdapterDoesNotFitBase');
    }
  }
  return new ModelValidationError(`adapter tensor ${t.name} adapts ${baseName}, which does not exist in ${label}`, 'adapter_model.safetensors').as('AdapterDoesNotFitBase');
}

/** Module paths of the base's weights (names without .weight). */
function baseModules(shapes: TensorShapes): Set<string> {
  const out = new Set<string>();
  for (const name of Object.keys(shapes)) if (name.endsWith('.weight')) out.add(name.slice(0, -'.weight'.length));
  return out;
}

/** 'model.layers.*.self_attn.q_proj' → the layer indices present in the base. */
function layerIndexSets(modules: Iterable<string>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const m of modules) {
    const hit = LAYER_INDEX.exec(m);
    if (!hit) continue;
    const key = m.replace(LAYER_INDEX, '.*');
    const set = out.get(key) ?? new Set<number>();
    set.add(Number(hit[1]));
    out.set(key, set);
  }
  return out;
}

function largestLayerCount(sets: Map<string, Set<number>>): number {
  let n = 0;
  for (const s of sets.values()) n = Math.max(n, Math.max(...s) + 1);
  return n;
}

function leafNames(modules: Iterable<string>): string {
  const leaves = [...new Set([...modules].map((m) => m.slice(m.lastIndexOf('.') + 1)))].sort();
  return leaves.slice(0, 20).join(', ') + (leaves.length > 20 ? ', …' : '');
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
