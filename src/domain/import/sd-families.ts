// Identifying a single-file text-to-image checkpoint from its tensor names (header only), following
// diffusers' `infer_diffusers_model_type` and its sentinel keys `CHECKPOINT_KEY_NAMES`
// (huggingface/diffusers src/diffusers/loaders/single_file_utils.py). Checks run in diffusers' order;
// unlike diffusers, v1 is not a catch-all: it needs its own sentinel, so arbitrary files are rejected.

export const SD_SENTINEL_KEYS = {
  v1: 'model.diffusion_model.output_blocks.11.0.skip_connection.weight',
  v2: 'model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight',
  xl_base: 'conditioner.embedders.1.model.transformer.resblocks.9.mlp.c_proj.bias',
  xl_refiner: 'conditioner.embedders.0.model.transformer.resblocks.9.mlp.c_proj.bias',
  upscale: 'model.diffusion_model.input_blocks.10.0.skip_connection.bias',
  controlnet: 'control_model.time_embed.0.weight',
  'playground-v2-5': 'edm_mean',
  inpainting: 'model.diffusion_model.input_blocks.0.0.weight',
  sd3: 'model.diffusion_model.joint_blocks.0.context_block.adaLN_modulation.1.bias',
  flux: ['double_blocks.0.img_attn.norm.key_norm.scale', 'model.diffusion_model.double_blocks.0.img_attn.norm.key_norm.scale'],
} as const;

/** diffusers pipeline class a family loads into (for `architecture`). */
export const SD_FAMILY_PIPELINES: Record<string, string> = {
  v1: 'StableDiffusionPipeline',
  v2: 'StableDiffusionPipeline',
  inpainting: 'StableDiffusionInpaintPipeline',
  inpainting_v2: 'StableDiffusionInpaintPipeline',
  xl_base: 'StableDiffusionXLPipeline',
  xl_inpaint: 'StableDiffusionXLInpaintPipeline',
  xl_refiner: 'StableDiffusionXLImg2ImgPipeline',
  'playground-v2-5': 'StableDiffusionXLPipeline',
  upscale: 'StableDiffusionUpscalePipeline',
  controlnet: 'ControlNetModel',
  sd3: 'StableDiffusion3Pipeline',
  flux: 'FluxPipeline',
};

/** The family of a checkpoint given tensor name → shape, or null when no sentinel matches. */
export function inferSdFamily(shapes: ReadonlyMap<string, readonly number[]>): string | null {
  const K = SD_SENTINEL_KEYS;
  const inpaint = shapes.get(K.inpainting);
  const v2 = shapes.get(K.v2);
  const v2IsV2 = v2 !== undefined && v2[v2.length - 1] === 1024; // cross-attention over OpenCLIP-H (1024) vs CLIP-L (768)
  if (inpaint && inpaint[1] === 9) {
    // 4 latent + 4 masked-image latent + 1 mask channels
    if (v2IsV2) return 'inpainting_v2';
    if (shapes.has(K.xl_base)) return 'xl_inpaint';
    return 'inpainting';
  }
  if (v2IsV2) return 'v2';
  if (shapes.has(K['playground-v2-5'])) return 'playground-v2-5';
  if (shapes.has(K.xl_base)) return 'xl_base';
  if (shapes.has(K.xl_refiner)) return 'xl_refiner';
  if (shapes.has(K.upscale)) return 'upscale';
  if (shapes.has(K.controlnet)) return 'controlnet';
  if (shapes.has(K.sd3)) return 'sd3';
  if (K.flux.some((k) => shapes.has(k))) return 'flux';
  if (shapes.has(K.v1)) return 'v1';
  return null;
}

/** A tensor name that only a transformer language model has (decoder layer stacks, LM heads). */
const LM_TENSOR = /^(model\.layers\.\d+\.|model\.decoder\.layers\.\d+\.|transformer\.h\.\d+\.|gpt_neox\.layers\.\d+\.|transformer\.blocks\.\d+\.|lm_head\.weight$)/;

export function findLanguageModelTensor(names: Iterable<string>): string | null {
  for (const n of names) if (LM_TENSOR.test(n)) return n;
  return null;
}
