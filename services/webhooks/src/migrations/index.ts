import type { Migrations } from '@takes/db';
import { deliveries2026120218 } from './2026_12_02_1830_deliveries';
import { actionCalls2026120309 } from './2026_12_03_0900_action_calls';
import { dueByEndpoint2026120309 } from './2026_12_03_0930_due_by_endpoint';

export const WEBHOOKS_SCHEMA = 'webhooks';

export const webhooksMigrations: Migrations = {
  '2026_12_02_1830_deliveries': deliveries2026120218,
  '2026_12_03_0900_action_calls': actionCalls2026120309,
  '2026_12_03_0930_due_by_endpoint': dueByEndpoint2026120309,
};
