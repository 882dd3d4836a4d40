import type { Migrations } from '@takes/db';
import { deliveries2026120218 } from './2026_12_02_1830_deliveries';

export const WEBHOOKS_SCHEMA = 'webhooks';

export const webhooksMigrations: Migrations = {
  '2026_12_02_1830_deliveries': deliveries2026120218,
};
