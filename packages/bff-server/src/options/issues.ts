/** One wrong setting and how to fix it. */
export interface ConfigIssue {
  /** The option, as a path into `BffOptions`: `session.secrets`, `frontOrigins[1]`. */
  readonly path: string;
  /**
   * The environment variable of the setting when the options were read from the environment
   * (`optionsFromEnv`) and the value at `path` is the one it gave, or none was given.
   */
  readonly variable: string | undefined;
  /** The setting as whoever configured it calls it: `variable`, else `path`. */
  readonly setting: string;
  readonly message: string;
}

/** Thrown by `resolveOptions` and `loadConfig`; its message lists every wrong setting with its fix. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.setting}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** How messages name settings: by option path, or by environment variable. */
export interface SettingNames {
  /** `oidc.profile`, or `OIDC_PROFILE`. */
  name(path: string): string;
  /** `oidc.profile: fapi2`, or `OIDC_PROFILE=fapi2`. */
  assignment(path: string, value: string): string;
}

/** Names for options a program passed. */
export const OPTION_NAMES: SettingNames = {
  name: (path) => path,
  assignment: (path, value) => `${path}: ${value}`,
};

/**
 * Where an options object came from, attached to it by `optionsFromEnv` (under
 * {@link OPTIONS_SOURCE}, an enumerable key, so that `{ ...optionsFromEnv(env), port }` keeps it).
 */
export interface OptionsSource extends SettingNames {
  /** The variable that names the setting at `path` in `options`, if the source still accounts for its value. */
  variableOf(path: readonly PropertyKey[], options: object): string | undefined;
  /** Values the source could not even turn into an option (a ROLE_MAP that is not JSON). */
  readonly issues: readonly ConfigIssue[];
}

export const OPTIONS_SOURCE: unique symbol = Symbol('oidc-bff.options-source');

/** The source `optionsFromEnv` attached to `options`, if any. */
export function sourceOf(options: object): OptionsSource | undefined {
  return typeof options === 'object' && options !== null ? (options as { [OPTIONS_SOURCE]?: OptionsSource })[OPTIONS_SOURCE] : undefined;
}

/**
 * A reference to another setting inside a message, written as the reader will know it:
 * `setting('ldap.startTls', 'false')` reads `LDAP_STARTTLS=false` to an operator who set
 * variables, `ldap.startTls: false` to a program that passed options ({@link renderMessage}).
 */
export function setting(path: string, value?: string): string {
  return value === undefined ? `{{${path}}}` : `{{${path}=${value}}}`;
}

/** Replaces the {@link setting} references of a message with names from `names`. */
export function renderMessage(message: string, names: SettingNames): string {
  return message.replace(/\{\{([\w.]+)(?:=([^{}]*))?\}\}/g, (_reference, path: string, value: string | undefined) =>
    value === undefined ? names.name(path) : names.assignment(path, value),
  );
}

/** `oidc.redirectUri`, `frontOrigins[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}
