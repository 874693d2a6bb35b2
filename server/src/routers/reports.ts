import { reportSummariesSchema, reportsOverviewSchema, type ReportSummary } from '@bff/shared/schemas';
import { protectedProcedure, router } from '@oidc-bff/server';

/** The downstream API these procedures call for the user (`DOWNSTREAM_APIS`, the dev reports API under `npm start`). */
const REPORTS_API = 'reports';

export const reportsRouter = router({
  /**
   * The reports API's summaries, combined with the caller's own: how many there are, the totals
   * per currency and the largest. The BFF adds the user's token for the reports API; a reports
   * API down is SERVICE_UNAVAILABLE (`downstream_unavailable`), never a sign-out.
   */
  overview: protectedProcedure.output(reportsOverviewSchema).query(async ({ ctx }) => {
    const { owner, summaries } = await ctx.downstream(REPORTS_API).get('/summaries', { schema: reportSummariesSchema });
    const totals = new Map<string, number>();
    let largest: ReportSummary | null = null;
    for (const summary of summaries) {
      totals.set(summary.currency, (totals.get(summary.currency) ?? 0) + summary.total);
      if (!largest || summary.total > largest.total) largest = summary;
    }
    return {
      owner,
      viewer: ctx.user.name,
      reports: summaries.length,
      totals: [...totals].map(([currency, total]) => ({ currency, total })),
      largest,
    };
  }),
});
