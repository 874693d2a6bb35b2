import type { z } from 'zod';
import type { Config } from '../config/config.js';
import { ConfigError, formatPath, OPTION_NAMES, renderMessage, sourceOf, type ConfigIssue, type OptionsSource } from './issues.js';
import { bffOptionsSchema, type BffOptions } from './schema.js';

/**
 * Validates the options once and works out everything derived from them (cookie names and
 * attributes, topology, trust proxy, FAPI 2.0 keys, warnings).
 *
 * @throws {ConfigError} naming every wrong setting with its fix: by its option path, and by
 * its environment variable when the options came from `optionsFromEnv`.
 * @example
 * const config = resolveOptions({ backUrl: 'https://api.example.com', frontOrigins: ['https://app.example.com'], trustProxy: 1 });
 */
export function resolveOptions(options: BffOptions): Config {
  const source = sourceOf(options);
  const names = source ?? OPTION_NAMES;
  // Read before the options are checked (a caller without types may pass anything): the rules depend on it.
  const production = typeof options === 'object' && options !== null && options.production === true;
  const parsed = bffOptionsSchema({ production }).safeParse(options);
  const issues = [...(source?.issues ?? []), ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => configIssues(issue, options, source)))];
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  return { ...parsed.data, warnings: parsed.data.warnings.map((warning) => renderMessage(warning, names)) };
}

/** True for a configuration {@link resolveOptions} made, false for options still to resolve. */
export function isResolved(value: BffOptions | Config): value is Config {
  return typeof value === 'object' && value !== null && 'cookie' in value && 'warnings' in value;
}

function configIssues(issue: z.core.$ZodIssue, options: object, source: OptionsSource | undefined): ConfigIssue[] {
  const names = source ?? OPTION_NAMES;
  if (issue.code === 'unrecognized_keys') {
    const section = formatPath(issue.path);
    return issue.keys.map((key) => {
      const path = formatPath([...issue.path, key]);
      // Inside a variable's value (a key in DOWNSTREAM_APIS' JSON), that variable holds it.
      const variable = issue.path.length > 0 ? source?.variableOf([...issue.path, key], options) : undefined;
      return { path, variable, setting: variable ? `${variable} (${path})` : path, message: `is not an option${section ? ` of ${section}` : ''}.` };
    });
  }
  const path = formatPath(issue.path) || 'options';
  const variable = source?.variableOf(issue.path, options);
  return [{ path, variable, setting: variable ?? path, message: renderMessage(issue.message, names) }];
}
