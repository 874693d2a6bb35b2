import {
  AndFilter,
  ApproximateFilter,
  EqualityFilter,
  ExtensibleFilter,
  FilterParser,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';

/** Why a filter template was refused. */
export type FilterTemplateErrorCode = 'FILTER_TEMPLATE_INVALID';

/** Thrown by {@link UserFilterTemplate.parse} for a template that cannot be filled safely. */
export class FilterTemplateError extends Error {
  readonly code: FilterTemplateErrorCode = 'FILTER_TEMPLATE_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FilterTemplateError';
  }
}

const SLOT = '{username}';
const PLACEHOLDER = /\{([^{}]*)\}/g;
/** A lone surrogate: `u` mode reads a well-formed pair as one code point, so only a half stands alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * ldapts decodes each `\XX` of a string filter as one UTF-16 unit (latin-1), so the
 * RFC 4515 escape of `é` (`\c3\a9`) in a configured template would be sent as four
 * bytes and match nothing. Runs of escaped bytes >= 0x80 that are valid UTF-8 are
 * turned back into the characters they encode; RFC 4515 allows those unescaped, and
 * none of them is filter syntax.
 */
function decodeUtf8Escapes(filter: string): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return filter.replace(/(?:\\[89a-fA-F][0-9a-fA-F])+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('\\'), (hex) => Number.parseInt(hex, 16));
    try {
      return utf8.decode(bytes);
    } catch {
      return run;
    }
  });
}

/**
 * The same filter with `fill` applied to every assertion value (equality, substring
 * parts, ordering, approximate and extensible match values), and nothing else:
 * attribute names, matching rules and the and/or/not structure stay as parsed.
 */
function mapValues(filter: Filter, fill: (value: string) => string): Filter {
  if (filter instanceof AndFilter) return new AndFilter({ filters: filter.filters.map((each) => mapValues(each, fill)) });
  if (filter instanceof OrFilter) return new OrFilter({ filters: filter.filters.map((each) => mapValues(each, fill)) });
  if (filter instanceof NotFilter) return new NotFilter({ filter: mapValues(filter.filter, fill) });
  if (filter instanceof EqualityFilter) {
    return new EqualityFilter({ attribute: filter.attribute, value: typeof filter.value === 'string' ? fill(filter.value) : filter.value });
  }
  if (filter instanceof SubstringFilter) {
    return new SubstringFilter({ attribute: filter.attribute, initial: fill(filter.initial), any: filter.any.map(fill), final: fill(filter.final) });
  }
  if (filter instanceof GreaterThanEqualsFilter) return new GreaterThanEqualsFilter({ attribute: filter.attribute, value: fill(filter.value) });
  if (filter instanceof LessThanEqualsFilter) return new LessThanEqualsFilter({ attribute: filter.attribute, value: fill(filter.value) });
  if (filter instanceof ApproximateFilter) return new ApproximateFilter({ attribute: filter.attribute, value: fill(filter.value) });
  if (filter instanceof ExtensibleFilter) {
    return new ExtensibleFilter({ matchType: filter.matchType, rule: filter.rule, dnAttributes: filter.dnAttributes, value: fill(filter.value) });
  }
  // A presence filter holds no value.
  return filter;
}

function slotsIn(text: string): number {
  return text.split(SLOT).length - 1;
}

/**
 * A user filter template such as `(&(objectClass=person)(uid={username}))`
 * (`LDAP_USER_FILTER`), parsed once by ldapts. The username is put into the parsed
 * filter's assertion values, which ldapts sends BER-encoded as data: no string
 * escaping, and no username can change the filter's structure (S23).
 *
 * @example
 * const template = UserFilterTemplate.parse('(|(uid={username})(mail={username}))');
 * await client.search(userBase, { filter: template.fill('alice'), ... });
 * @see https://www.rfc-editor.org/rfc/rfc4511#section-4.5.1.7 (the filter on the wire)
 */
export class UserFilterTemplate {
  readonly #parsed: Filter;

  private constructor(parsed: Filter) {
    this.#parsed = parsed;
  }

  /**
   * Parses a template. A template without `{username}` is refused: it would match the
   * same entry for every user, and so give everyone that entry's groups. So is one that
   * puts `{username}` anywhere but in a value (an attribute name, a matching rule).
   *
   * @throws {FilterTemplateError} for no `{username}`, an unknown placeholder, no enclosing parentheses, or no LDAP filter syntax
   */
  static parse(template: string): UserFilterTemplate {
    for (const [, name] of template.matchAll(PLACEHOLDER)) {
      if (name !== 'username') throw new FilterTemplateError(`Unknown placeholder {${name}} in the filter template; only {username} is supported.`);
    }
    const slots = slotsIn(template);
    if (slots === 0) throw new FilterTemplateError('The filter template must contain {username}, e.g. (uid={username}).');
    if (!template.startsWith('(') || !template.endsWith(')')) {
      throw new FilterTemplateError('The filter template must be enclosed in parentheses, e.g. (uid={username}).');
    }
    let parsed: Filter;
    try {
      parsed = FilterParser.parseString(decodeUtf8Escapes(template));
    } catch (error) {
      throw new FilterTemplateError(error instanceof Error ? error.message : 'The filter template is not a valid LDAP filter.', { cause: error });
    }
    let inValues = 0;
    mapValues(parsed, (value) => {
      inValues += slotsIn(value);
      return value;
    });
    if (inValues !== slots) throw new FilterTemplateError('{username} may only stand in a value of the filter template, e.g. (uid={username}).');
    return new UserFilterTemplate(parsed);
  }

  /**
   * Whether `username` can stand in a filter as itself: not when it is not well-formed
   * Unicode (a lone surrogate), which would reach the directory as U+FFFD and find
   * whoever is named that.
   */
  canFill(username: string): boolean {
    return !LONE_SURROGATE.test(username);
  }

  /**
   * The filter that finds `username`.
   * @throws {TypeError} for a username {@link canFill} refuses
   */
  fill(username: string): Filter {
    if (!this.canFill(username)) throw new TypeError('The username is not well-formed Unicode.');
    return mapValues(this.#parsed, (value) => value.split(SLOT).join(username));
  }
}

/** Groups with any of `dns` as `member` or `uniqueMember`: `(|(member=…)(uniqueMember=…)…)` as ldapts filter objects. */
export function memberFilter(dns: readonly string[]): Filter {
  return new OrFilter({
    filters: dns.flatMap((dn) => [new EqualityFilter({ attribute: 'member', value: dn }), new EqualityFilter({ attribute: 'uniqueMember', value: dn })]),
  });
}
