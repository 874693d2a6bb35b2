import { z } from 'zod';
import { overallTopology, sameSiteFor, type SameSite, type Topology } from '../config/topology.js';

/**
 * The session cookie (`COOKIE_*`): its name (`__Host-` is prefixed when the API is on
 * https) and an override of the SameSite attribute, which is otherwise computed from how
 * the fronts sit relative to the API.
 */
export const cookieOptions = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'letters, digits, "_" and "-" only (the __Host- prefix is added for you)' })
    .default('bff_session'),
  sameSite: z.enum(['strict', 'lax', 'none']).optional(),
});

export type CookieOptions = z.input<typeof cookieOptions>;

/** The session cookie's attributes, derived from the API's URL, the fronts and the cookie options. */
export function sessionCookie(
  backUrl: URL,
  frontOrigins: readonly string[],
  cookies: z.output<typeof cookieOptions>,
): { readonly baseName: string; readonly name: string; readonly secure: boolean; readonly sameSite: SameSite; readonly topology: Topology } {
  const topology = overallTopology(
    frontOrigins.map((origin) => new URL(origin)),
    backUrl,
  );
  const secure = backUrl.protocol === 'https:';
  return {
    baseName: cookies.name,
    name: secure ? `__Host-${cookies.name}` : cookies.name,
    secure,
    sameSite: cookies.sameSite ?? sameSiteFor(topology),
    topology,
  };
}
