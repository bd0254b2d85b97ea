// The action catalogue: (route, Action) → definition. Add a route's actions here.
import type { ActionDef } from './action.js';
import { finetuningActions } from './finetuning/index.js';
import { modelActions } from './model/index.js';

export const ALL_ACTIONS: ActionDef[] = [...modelActions, ...finetuningActions];

const byKey = new Map(ALL_ACTIONS.map((a) => [`${a.route}?${a.name}`, a]));

export const findAction = (route: string, name: string): ActionDef | undefined => byKey.get(`${route}?${name}`);
export const ROUTES = [...new Set(ALL_ACTIONS.map((a) => a.route))];
export const actionNames = (route: string): string[] => ALL_ACTIONS.filter((a) => a.route === route).map((a) => a.name);
