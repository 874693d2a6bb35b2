import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Auth } from '@oidc-bff/angular';
import { formatDateTime, formatRelative } from '../format/date-format';
import { SignedInDevices } from './signed-in-devices';

/** The signed-in user's account and session, from `me`, the sign-out button, and the user's signed-in devices. */
@Component({
  selector: 'app-profile-page',
  imports: [SignedInDevices],
  templateUrl: './profile-page.html',
  styleUrl: './profile-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ProfilePage {
  protected readonly auth = inject(Auth);
  protected readonly dateTime = formatDateTime;
  protected readonly relative = formatRelative;

  constructor() {
    void this.auth.load();
  }
}
