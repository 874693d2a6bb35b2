/** Why a filter template was refused. */
export type FilterTemplateErrorCode = 'FILTER_TEMPLATE_INVALID';

/** Thrown by {@link fillFilter} for a template that cannot be filled safely. */
export class FilterTemplateError extends Error {
  readonly code: FilterTemplateErrorCode = 'FILTER_TEMPLATE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'FilterTemplateError';
  }
}

const encoder = new TextEncoder();

function hexByte(byte: number): string {
  return `\\${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Escapes a string for use as an assertion value in an LDAP search filter, so that
 * whatever a user types is compared as data and never read as filter syntax (S23).
 *
 * `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`; every other
 * byte outside printable ASCII (controls, and each UTF-8 byte of a non-ASCII
 * character) becomes `\XX` as well, so the result is plain ASCII.
 *
 * @example
 * escapeFilterValue('*)(uid=*') // '\2a\29\28uid=\2a'
 * @see https://www.rfc-editor.org/rfc/rfc4515#section-3
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f && char !== '*' && char !== '(' && char !== ')' && char !== '\\') {
      out += char;
    } else {
      for (const byte of encoder.encode(char)) out += hexByte(byte);
    }
  }
  return out;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Puts the escaped username into a filter template such as `(uid={username})`
 * (every occurrence). A template without `{username}` is refused: it would match the
 * same entry for every user, and so give everyone that entry's groups.
 *
 * @example
 * fillFilter('(&(objectClass=person)(uid={username}))', { username: 'alice' })
 * // '(&(objectClass=person)(uid=alice))'
 * @throws {FilterTemplateError} when the template has no `{username}` or an unknown placeholder
 */
export function fillFilter(template: string, values: { readonly username: string }): string {
  let found = false;
  const filled = template.replace(PLACEHOLDER, (_match, name: string) => {
    if (name !== 'username') throw new FilterTemplateError(`Unknown placeholder {${name}} in the filter template; only {username} is supported.`);
    found = true;
    // A replacer function, not a replacement string: `$&` or `$1` in a username must stay literal.
    return escapeFilterValue(values.username);
  });
  if (!found) throw new FilterTemplateError('The filter template must contain {username}, e.g. (uid={username}).');
  if (!filled.startsWith('(') || !filled.endsWith(')')) {
    throw new FilterTemplateError('The filter template must be enclosed in parentheses, e.g. (uid={username}).');
  }
  return filled;
}
