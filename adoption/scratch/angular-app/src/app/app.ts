import { Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { Auth } from '@oidc-bff/angular';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet],
  template: `<header>{{ auth.status() }}</header>
    <router-outlet />`,
})
export class App {
  protected readonly auth = inject(Auth);
}
