import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterOutlet } from '@angular/router';
import { Auth } from './core/auth';
import { LoginFlow } from './core/login-flow';

/** The shell: header with navigation and the account area, then the routed page. */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink],
  templateUrl: './app.html',
  styleUrl: './app.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  protected readonly auth = inject(Auth);
  protected readonly flow = inject(LoginFlow);
  /** First segment of the current page's path (`chat` for `/chat?x=1`), for `aria-current`. */
  protected readonly section = signal('');

  constructor() {
    // Hand-rolled rather than RouterLinkActive, whose content queries cost ~1 KB of initial bundle.
    const router = inject(Router);
    const subscription = router.events.subscribe((event) => {
      if (event instanceof NavigationEnd) this.section.set(event.urlAfterRedirects.split(/[/?#]/)[1] ?? '');
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
