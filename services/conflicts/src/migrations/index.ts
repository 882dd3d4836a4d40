import type { Migrations } from '@takes/db';
import { reviewQueue2026112320 } from './2026_11_23_2030_review_queue';
import { contestParties2026112510 } from './2026_11_25_1000_contest_parties';

export const CONFLICTS_SCHEMA = 'conflicts';

export const conflictsMigrations: Migrations = {
  '2026_11_23_2030_review_queue': reviewQueue2026112320,
  '2026_11_25_1000_contest_parties': contestParties2026112510,
};
