import { meFor } from '@oidc-bff/angular/testing';
import { ANALYST_ROLE } from '../app/roles';

/** What `me` answers for the specs' two users: Alice holds the analyst role, Bob no role. */
export const ALICE = meFor({ sub: 'alice', name: 'Alice Analyst', email: 'alice@example.test', groups: ['analysts'], roles: [ANALYST_ROLE] });
export const BOB = meFor({ sub: 'bob', name: 'Bob Builder', email: null, groups: [], roles: [] });
