/** The API routes a key's permissions are told for (DescribeCallerIdentity). */
export const ALL_ROUTES = ['/v2/model', '/v2/finetuning'] as const;
