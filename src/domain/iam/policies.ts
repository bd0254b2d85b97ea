// The policies an access key can carry, named as Qianfan's IAM names them.
// An action is either a read (Describe*) or a write; a policy allows actions by route and kind.

export type AccessKind = 'read' | 'write';

export interface Policy {
  name: string;
  description: string;
  /** Routes ('/v2/model', '/v2/finetuning') this policy covers; '*' covers every route. */
  routes: readonly string[] | '*';
  access: readonly AccessKind[];
}

const TUNING_ROUTES = ['/v2/model', '/v2/finetuning'] as const;

export const POLICIES: Record<string, Policy> = {
  QianfanFullControlAccessPolicy: {
    name: 'QianfanFullControlAccessPolicy',
    description: 'Full control of every registry action',
    routes: '*',
    access: ['read', 'write'],
  },
  QianfanReadAccessPolicy: {
    name: 'QianfanReadAccessPolicy',
    description: 'Read-only: Describe* actions on every route',
    routes: '*',
    access: ['read'],
  },
  QianfanModelTuningFullControlAccessPolicy: {
    name: 'QianfanModelTuningFullControlAccessPolicy',
    description: 'Full control of models and fine-tuning',
    routes: TUNING_ROUTES,
    access: ['read', 'write'],
  },
  QianfanModelTuningReadAccessPolicy: {
    name: 'QianfanModelTuningReadAccessPolicy',
    description: 'Read-only access to models and fine-tuning',
    routes: TUNING_ROUTES,
    access: ['read'],
  },
};

export const POLICY_NAMES = Object.keys(POLICIES);

export function isKnownPolicy(name: string): boolean {
  return Object.hasOwn(POLICIES, name);
}

export function policiesAllow(policyNames: readonly string[], route: string, access: AccessKind): boolean {
  return policyNames.some((n) => {
    const p = isKnownPolicy(n) ? POLICIES[n] : undefined;
    if (!p) return false;
    const routeOk = p.routes === '*' || p.routes.includes(route);
    return routeOk && p.access.includes(access);
  });
}
