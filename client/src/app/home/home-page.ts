import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { Auth } from '@oidc-bff/angular';
import { ANALYST_ROLE } from '../roles';
import { SHOW_OPERATOR_CHECKS, explainLoginError } from './login-error-messages';

/**
 * The landing page: sign-in when signed out, a welcome with shortcuts when signed in, and
 * the explanation of a failed sign-in (`?auth_error=<code>`, set by the API's callback).
 */
@Component({
  selector: 'app-home-page',
  imports: [RouterLink],
  templateUrl: './home-page.html',
  styleUrl: './home-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HomePage {
  protected readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly query = toSignal(inject(ActivatedRoute).queryParamMap);

  protected readonly loginErrorCode = computed(() => this.query()?.get('auth_error') ?? null);
  protected readonly loginError = computed(() => explainLoginError(this.loginErrorCode()));
  protected readonly showOperatorCheck = inject(SHOW_OPERATOR_CHECKS);
  protected readonly isAnalyst = computed(() => this.auth.hasRole(ANALYST_ROLE));
  protected readonly analystRole = ANALYST_ROLE;

  constructor() {
    // Usually already under way (app initializer); shares that request if so.
    void this.auth.load();
  }

  protected dismissLoginError(): void {
    void this.router.navigate([], { queryParams: { auth_error: null }, queryParamsHandling: 'merge' });
  }
}
