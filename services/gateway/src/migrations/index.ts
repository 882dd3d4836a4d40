import type { Migrations } from '@takes/db';
import { accounts2026112318 } from './2026_11_23_1800_accounts';
import { userAttributes2026120212 } from './2026_12_02_1230_user_attributes';
import { invitesAndEmail2026120213 } from './2026_12_02_1300_invites_and_email';
import { inviteAttributes2026120215 } from './2026_12_02_1500_invite_attributes';

export const GATEWAY_SCHEMA = 'gateway';

export const gatewayMigrations: Migrations = {
  '2026_11_23_1800_accounts': accounts2026112318,
  '2026_12_02_1230_user_attributes': userAttributes2026120212,
  '2026_12_02_1300_invites_and_email': invitesAndEmail2026120213,
  '2026_12_02_1500_invite_attributes': inviteAttributes2026120215,
};
