// DescribeFineTuningSupportModels answers this catalogue: the base models the operator's trainers
// fine-tune, in Qianfan's answer shape. The Python SDK's trainer reads it (python/qianfan/trainer/
// configs.py: model, modelType, supportTrainMode[].trainMode, supportParameterScale[].parameterScale,
// supportHyperParameterConfig[] with key, type, checkType, checkValue, default, name, description)
// to build its TrainConfig and default parameters, so every entry carries all of those.
import { PARAMETER_SCALES, TRAIN_MODES } from '../training/task-rules.js';

export interface HyperParameter {
  key: string;
  name: string;
  description: string;
  /** The Python SDK's type_mapping names: int, float, string, bool, array (and their long forms). */
  type: string;
  /** range: checkValue is [min, max]; choice / mult_choice: checkValue lists the options. */
  checkType: 'range' | 'choice' | 'mult_choice';
  checkValue: unknown[];
  default: unknown;
}

export interface FineTuningModel {
  model: string;
  modelType: 'text2text' | 'text2image' | 'imageUnderstanding';
  baseModel?: string;
  supportTrainMode: { trainMode: string; supportParameterScale: { parameterScale: string; supportHyperParameterConfig: HyperParameter[] }[] }[];
}

/** JSON schema of the operator's file (MODELREG_FINE_TUNING_MODELS_FILE): an array of FineTuningModel. */
export const FINE_TUNING_MODELS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['model', 'modelType', 'supportTrainMode'],
    properties: {
      model: { type: 'string', minLength: 1, maxLength: 128 },
      modelType: { enum: ['text2text', 'text2image', 'imageUnderstanding'] },
      baseModel: { type: 'string', maxLength: 128 },
      supportTrainMode: {
        type: 'array',
        items: {
          type: 'object',
          required: ['trainMode', 'supportParameterScale'],
          properties: {
            trainMode: { enum: [...TRAIN_MODES] },
            supportParameterScale: {
              type: 'array',
              items: {
                type: 'object',
                required: ['parameterScale', 'supportHyperParameterConfig'],
                properties: {
                  parameterScale: { enum: [...PARAMETER_SCALES] },
                  supportHyperParameterConfig: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['key', 'name', 'description', 'type', 'checkType', 'checkValue', 'default'],
                      properties: {
                        key: { type: 'string', minLength: 1 },
                        name: { type: 'string' },
                        description: { type: 'string' },
                        type: { enum: ['int', 'integer', 'float', 'number', 'string', 'str', 'bool', 'boolean', 'array'] },
                        checkType: { enum: ['range', 'choice', 'mult_choice'] },
                        checkValue: { type: 'array' },
                        default: {},
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const hp = (key: string, name: string, description: string, type: string, checkType: HyperParameter['checkType'], checkValue: unknown[], dflt: unknown): HyperParameter => ({
  key,
  name,
  description,
  type,
  checkType,
  checkValue,
  default: dflt,
});

const COMMON = [
  hp('epoch', '迭代轮次', 'passes over the training data', 'int', 'range', [1, 50], 3),
  hp('learningRate', '学习率', 'optimizer learning rate', 'float', 'range', [1e-6, 1e-3], 3e-5),
  hp('batchSize', '批处理大小', 'samples per optimizer step', 'int', 'range', [1, 64], 4),
  hp('maxSeqLen', '序列长度', 'longest training sequence in tokens', 'int', 'choice', [1024, 2048, 4096, 8192], 4096),
  hp('warmupRatio', '预热比例', 'share of steps with a rising learning rate', 'float', 'range', [0, 0.5], 0.1),
  hp('weightDecay', '正则化系数', 'weight decay', 'float', 'range', [0, 0.1], 0.01),
];
const LORA = [
  hp('loraRank', 'LoRA 秩', 'rank of the LoRA matrices', 'int', 'choice', [8, 16, 32, 64], 16),
  hp('loraAlpha', 'LoRA Alpha', 'LoRA scaling', 'int', 'range', [1, 128], 32),
  hp('loraDropout', 'LoRA Dropout', 'dropout on the LoRA layers', 'float', 'range', [0, 0.5], 0.05),
];

const scales = (withFull: boolean) => [
  { parameterScale: 'LoRA', supportHyperParameterConfig: [...COMMON, ...LORA] },
  ...(withFull ? [{ parameterScale: 'FullFineTuning', supportHyperParameterConfig: COMMON }] : []),
];

const openModel = (model: string, baseModel: string): FineTuningModel => ({
  model,
  modelType: 'text2text',
  baseModel,
  supportTrainMode: [
    { trainMode: 'SFT', supportParameterScale: scales(true) },
    { trainMode: 'DPO', supportParameterScale: scales(true) },
    { trainMode: 'KTO', supportParameterScale: scales(false) },
    { trainMode: 'PostPretrain', supportParameterScale: [{ parameterScale: 'FullFineTuning', supportHyperParameterConfig: COMMON }] },
  ],
});

/**
 * Used when the operator configures no file: widely fine-tuned open-weight chat models, each
 * trainable with the methods common trainers (e.g. TRL, LLaMA-Factory) offer.
 */
export const DEFAULT_FINE_TUNING_MODELS: FineTuningModel[] = [
  openModel('Qwen2.5-7B-Instruct', 'Qwen'),
  openModel('Qwen2.5-14B-Instruct', 'Qwen'),
  openModel('Meta-Llama-3.1-8B-Instruct', 'Llama'),
  openModel('Mistral-7B-Instruct-v0.3', 'Mistral'),
];
