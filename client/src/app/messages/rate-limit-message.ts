/** "Too many requests — try again in 30 s": the shell's banner, and pages' message for a refused call. */
export function rateLimitMessage(seconds: number): string {
  return `Too many requests — try again in ${seconds} s.`;
}
