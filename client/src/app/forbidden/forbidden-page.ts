import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { Auth } from '@oidc-bff/angular';

/** Where `roleGuard` sends a signed-in user who lacks the page's role (`?role=`). */
@Component({
  selector: 'app-forbidden-page',
  imports: [RouterLink],
  templateUrl: './forbidden-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ForbiddenPage {
  protected readonly auth = inject(Auth);
  private readonly query = toSignal(inject(ActivatedRoute).queryParamMap);
  protected readonly role = computed(() => this.query()?.get('role') ?? null);
}
