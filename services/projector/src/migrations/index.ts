import type { Migrations } from '@takes/db';
import { projector2026112319 } from './2026_11_23_1900_projector';

export const PROJECTOR_SCHEMA = 'projector';

export const projectorMigrations: Migrations = {
  '2026_11_23_1900_projector': projector2026112319,
};
