import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { BFF_CONFIG, LoginFlow, WindowLocation } from '@oidc-bff/angular';
import { API_PATHS, isAuthFailureReason } from '@oidc-bff/protocol';

/**
 * Shown instead of signing in again when the API still says "not signed in" right
 * after a sign-in: the session cookie was not kept or not sent, and another sign-in
 * would only loop. Explains the usual causes and offers one deliberate retry.
 */
@Component({
  selector: 'app-session-problem-page',
  imports: [RouterLink],
  templateUrl: './session-problem-page.html',
  styleUrl: './session-problem-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionProblemPage {
  private readonly flow = inject(LoginFlow);
  private readonly query = toSignal(inject(ActivatedRoute).queryParamMap);

  protected readonly api = new URL(inject(BFF_CONFIG).apiUrl);
  protected readonly front = new URL(inject(WindowLocation).href);
  protected readonly schemesDiffer = this.api.protocol !== this.front.protocol;
  protected readonly hostsDiffer = this.api.hostname !== this.front.hostname;
  protected readonly reason = computed(() => {
    const reason = this.query()?.get('reason');
    return isAuthFailureReason(reason) ? reason : undefined;
  });
  /** no_session / invalid_session (or no reason at all): the cookie did not make the round trip. */
  protected readonly cookieLost = computed(() => {
    const reason = this.reason();
    return reason === undefined || reason === 'no_session' || reason === 'invalid_session';
  });
  protected readonly occurredAt = new Date().toISOString();
  protected readonly paths = API_PATHS;

  protected tryAgain(): void {
    this.flow.retry(this.query()?.get('from') ?? '/');
  }
}
