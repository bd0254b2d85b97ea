// Documented caps on work whose cost a tenant controls (SECURITY.md, classes 1, 2 and 6). One home
// for these numbers: the import reader, the template checks and the sandbox read them from here.
const KiB = 1024;
const MiB = 1024 * KiB;

/** Chat templates (CreateModelCustomConf files, tokenizer_config.json chat_template): longest accepted, in UTF-8 bytes. */
export const MAX_TEMPLATE_BYTES = 256 * KiB;
/** A rendered chat-template preview longer than this is refused (a template that blows up its output). */
export const MAX_TEMPLATE_OUTPUT_CHARS = 1 * MiB;

/** config.json, generation_config.json, model_index.json, scheduler/preprocessor configs. Real ones are < 100 KiB. */
export const MAX_CONFIG_JSON_BYTES = 4 * MiB;
/** tokenizer_config.json (added_tokens_decoder can be large). */
export const MAX_TOKENIZER_CONFIG_BYTES = 16 * MiB;
/** *.safetensors.index.json / pytorch_model.bin.index.json (the largest public models' are ~10 MiB). */
export const MAX_INDEX_JSON_BYTES = 32 * MiB;
/**
 * Safetensors JSON header. The format allows 100 MB; real checkpoints stay far below 16 MiB (a shard of
 * a 600B-parameter MoE model has a header of a few hundred KiB).
 */
export const MAX_SAFETENSORS_HEADER_BYTES = 16 * MiB;
/** JSON nested deeper than this is refused: real model documents nest fewer than 10 levels. */
export const MAX_JSON_DEPTH = 64;

/** Documents up to this size are parsed on the event loop (a few ms at worst); larger ones in the sandbox. */
export const INLINE_PARSE_BYTES = 256 * KiB;

/** Sparse-file rule: files of at least this size must have this fraction of their bytes allocated on disk. */
export const SPARSE_MIN_SIZE = 64 * MiB;
export const SPARSE_MIN_ALLOCATED_FRACTION = 1 / 8;
