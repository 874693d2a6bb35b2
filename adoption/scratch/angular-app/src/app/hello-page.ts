import { Component, inject, signal } from '@angular/core';
import { Auth, injectTrpc } from '@oidc-bff/angular';
import type { ScratchRouter } from '../../server/router';

@Component({
  selector: 'app-hello-page',
  template: `<p>{{ greeting() }}, {{ auth.user()?.name }}</p>
    <button type="button" (click)="auth.logout()">Sign out</button>`,
})
export class HelloPage {
  protected readonly auth = inject(Auth);
  private readonly trpc = injectTrpc<ScratchRouter>();
  protected readonly greeting = signal('');

  constructor() {
    void this.trpc.hello.query().then(({ hello }) => this.greeting.set(hello));
  }
}
