/** Thrown for a wrong `DEV_IDP_*` variable; the message names it and the fix. */
export class DevIdpSettingsError extends Error {
  readonly code = 'DEV_IDP_SETTINGS_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DevIdpSettingsError';
  }
}

/** How the development IdP behaves, from the `DEV_IDP_*` variables. */
export interface DevIdpSettings {
  /** Access-token lifetime in seconds (`DEV_IDP_ACCESS_TOKEN_TTL`, default 3600). */
  readonly accessTokenTtl: number;
}

/**
 * Reads the `DEV_IDP_*` variables.
 * @throws {DevIdpSettingsError} naming every wrong variable.
 */
export function devIdpSettings(env: Readonly<Record<string, string | undefined>>): DevIdpSettings {
  const problems: string[] = [];
  const ttlSetting = env['DEV_IDP_ACCESS_TOKEN_TTL']?.trim();
  const accessTokenTtl = ttlSetting ? Number(ttlSetting) : 3600;
  if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) {
    problems.push(`DEV_IDP_ACCESS_TOKEN_TTL: must be a whole number of seconds, at least 1 (e.g. 30), not "${ttlSetting}".`);
  }
  if (problems.length > 0) throw new DevIdpSettingsError(problems);
  return { accessTokenTtl };
}
