// The body of every action that names one model version and nothing else.
import { S } from '../action.js';

export const MODEL_ID_BODY = S.obj({ modelId: S.str(1, 64) }, ['modelId']);
