import type { Migrations } from '@takes/db';
import { instances2026120218 } from './2026_12_02_1830_instances';

export const WORKFLOWS_SCHEMA = 'workflows';

export const workflowsMigrations: Migrations = {
  '2026_12_02_1830_instances': instances2026120218,
};
