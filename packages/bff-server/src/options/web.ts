import { z } from 'zod';

/**
 * The built web app, served by the API on its own origin (`npm run serve`), when that
 * origin is one of the fronts: `serve: false` turns it off, `root` is the build folder.
 */
export const webOptions = z.strictObject({
  serve: z.boolean({ error: 'must be true or false' }).optional(),
  root: z.string().trim().min(1).optional(),
});

export type WebOptions = z.input<typeof webOptions>;
