import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterOutlet } from '@angular/router';
import { Auth, LoginFlow, ServiceStatus } from '@oidc-bff/angular';
import { rateLimitMessage } from './messages/rate-limit-message';
import { ANALYST_ROLE } from './roles';

/**
 * The shell: header with navigation and the account area, a banner while the API is
 * unavailable or rate limiting, then the routed page.
 */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink],
  templateUrl: './app.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  protected readonly auth = inject(Auth);
  protected readonly flow = inject(LoginFlow);
  protected readonly service = inject(ServiceStatus);
  protected readonly rateLimitMessage = rateLimitMessage;
  /** First segment of the current page's path (`chat` for `/chat?x=1`), for `aria-current`. */
  protected readonly section = signal('');
  /** Analytics is only linked for those the API lets in; the page itself explains to others. */
  protected readonly isAnalyst = computed(() => this.auth.hasRole(ANALYST_ROLE));

  constructor() {
    // Hand-rolled rather than RouterLinkActive, whose content queries cost ~1 KB of initial bundle.
    const router = inject(Router);
    const subscription = router.events.subscribe((event) => {
      if (event instanceof NavigationEnd) this.section.set(event.urlAfterRedirects.split(/[/?#]/)[1] ?? '');
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
