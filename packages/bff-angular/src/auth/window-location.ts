import { DOCUMENT, inject } from '@angular/core';

/**
 * The browser's address bar. Sign-in and sign-out leave the application with a
 * full page load; going through this class lets tests observe those navigations
 * (`provideBffTesting` puts a `FakeWindowLocation` in its place).
 */
export class WindowLocation {
  private readonly location = inject(DOCUMENT).location;

  /** The absolute URL of the current page. */
  get href(): string {
    return this.location.href;
  }

  /** Leaves the application for `url`. */
  assign(url: string): void {
    this.location.assign(url);
  }
}
