/** The origin of the page in specs: where `FakeWindowLocation` starts. */
export const TESTING_FRONT_ORIGIN = 'https://app.example.test';

/**
 * Stands in for `WindowLocation` in specs (`provideBffTesting`): records top-level
 * navigations (sign-in, sign-out) instead of leaving the test page, and lets the spec
 * say which page the browser is on.
 *
 * @example
 * const location = TestBed.inject(FakeWindowLocation);
 * location.href = `${TESTING_FRONT_ORIGIN}/chat`;
 * // ... the page signs in
 * expect(location.assigned).toEqual([loginUrlFor(`${TESTING_FRONT_ORIGIN}/chat`)]);
 */
export class FakeWindowLocation {
  href = `${TESTING_FRONT_ORIGIN}/`;
  readonly assigned: string[] = [];

  assign(url: string): void {
    this.assigned.push(url);
  }
}
