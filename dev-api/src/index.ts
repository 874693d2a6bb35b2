/**
 * The development reports API: the downstream API `npm start` and the tests call through
 * the BFF (`DOWNSTREAM_APIS`, name `reports`). For development and tests only; never shipped.
 */
export { createReportsApi, type ReportsApi, type ReportsApiOptions, type ReportSummary } from './reports-api.js';

/** What the development IdP and the reports API agree on: the API's audience and scope. */
export const DEV_REPORTS = { audience: 'urn:bff:reports', scope: 'reports:read', port: 4100 } as const;
