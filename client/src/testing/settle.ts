/** Resolves after pending promise callbacks (fake API answers) have run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Lets fake API answers arrive, then waits for the component to render them. */
export async function settle(fixture: { whenStable(): Promise<unknown> }): Promise<void> {
  await flushPromises();
  await fixture.whenStable();
}
