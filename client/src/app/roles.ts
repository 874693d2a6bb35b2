/**
 * The application role that opens Analytics (see `Auth.hasRole`). The API grants roles
 * from the user's groups (its `ROLE_MAP`) and requires this one for `analytics`; the
 * client only spares the detour to a page the API would refuse.
 */
export const ANALYST_ROLE = 'analyst';
