/** Why a string was refused as a distinguished name. */
export type DnErrorCode = 'DN_INVALID';

/** Thrown by {@link parseDn} for a string that is not an RFC 4514 distinguished name. */
export class DnSyntaxError extends Error {
  readonly code: DnErrorCode = 'DN_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'DnSyntaxError';
  }
}

/** One `type=value` pair of a relative distinguished name, unescaped. */
export interface Ava {
  /** Lower-case descriptor (`cn`), or the dotted OID when it has no well-known name. */
  readonly type: string;
  /** The value with escapes and quotes resolved; for a `#hex` value, the hex digits lower-cased. */
  readonly value: string;
  /** True for a `#hex` value (BER encoding), which compares byte for byte. */
  readonly ber: boolean;
}

/** A relative distinguished name: one or more AVAs joined by `+`. */
export type Rdn = readonly Ava[];

/**
 * Well-known attribute OIDs, so that `2.5.4.3=x` and `cn=x` compare equal.
 * @see https://www.rfc-editor.org/rfc/rfc4519
 */
const OID_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'cn',
  '2.5.4.6': 'c',
  '2.5.4.7': 'l',
  '2.5.4.8': 'st',
  '2.5.4.9': 'street',
  '2.5.4.10': 'o',
  '2.5.4.11': 'ou',
  '0.9.2342.19200300.100.1.1': 'uid',
  '0.9.2342.19200300.100.1.25': 'dc',
};

const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERICOID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', '=', '#', ' ']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function isSpace(char: string | undefined): boolean {
  return char === ' ';
}

/** A cursor over the DN string; the grammar is small enough for a hand-written scanner. */
class Scanner {
  index = 0;
  constructor(readonly input: string) {}
  get done(): boolean {
    return this.index >= this.input.length;
  }
  peek(): string | undefined {
    return this.input[this.index];
  }
  skipSpaces(): void {
    while (isSpace(this.peek())) this.index += 1;
  }
  fail(message: string): never {
    throw new DnSyntaxError(`${message} at position ${this.index} of the distinguished name.`);
  }
}

function readType(scanner: Scanner): string {
  const start = scanner.index;
  while (!scanner.done && !['=', ' ', ',', '+'].includes(scanner.peek() ?? '')) scanner.index += 1;
  let type = scanner.input.slice(start, scanner.index);
  if (/^oid\./i.test(type)) type = type.slice(4);
  if (DESCR.test(type)) return type.toLowerCase();
  if (NUMERICOID.test(type)) return OID_NAMES[type] ?? type;
  return scanner.fail(type ? `Invalid attribute type "${type}"` : 'Missing attribute type');
}

/** Reads `\X` (a special character) or `\XX` (a byte), appending to `bytes`. */
function readEscape(scanner: Scanner, bytes: number[]): void {
  scanner.index += 1;
  const next = scanner.peek();
  if (next === undefined) scanner.fail('Dangling backslash');
  const pair = scanner.input.slice(scanner.index, scanner.index + 2);
  if (HEX_PAIR.test(pair)) {
    bytes.push(Number.parseInt(pair, 16));
    scanner.index += 2;
  } else if (SPECIAL.has(next)) {
    bytes.push(next.charCodeAt(0));
    scanner.index += 1;
  } else {
    scanner.fail(`Invalid escape "\\${next}"`);
  }
}

function decode(scanner: Scanner, bytes: readonly number[]): string {
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    return scanner.fail('Escaped bytes are not valid UTF-8');
  }
}

/**
 * Appends the UTF-8 bytes of the character at the cursor, a whole code point: encoding
 * half of a surrogate pair would turn every astral character into U+FFFD, and so
 * make `cn="😀"` and `cn="😁"` one name.
 *
 * @returns how many UTF-16 units it took.
 */
function pushCodePoint(scanner: Scanner, bytes: number[]): number {
  const whole = String.fromCodePoint(scanner.input.codePointAt(scanner.index) ?? 0);
  bytes.push(...encoder.encode(whole));
  return whole.length;
}

function readValue(scanner: Scanner): Pick<Ava, 'value' | 'ber'> {
  const first = scanner.peek();
  if (first === '#') {
    const start = scanner.index;
    scanner.index += 1;
    while (!scanner.done && /[0-9A-Fa-f]/.test(scanner.peek() ?? '')) scanner.index += 1;
    const hex = scanner.input.slice(start + 1, scanner.index);
    if (hex.length === 0 || hex.length % 2 !== 0) scanner.fail('Invalid #hex value');
    return { value: hex.toLowerCase(), ber: true };
  }
  const bytes: number[] = [];
  if (first === '"') {
    // RFC 1779 quoting, which RFC 4514 parsers are asked to tolerate (section 5.1 of RFC 4514 does not produce it).
    scanner.index += 1;
    for (;;) {
      const char = scanner.peek();
      if (char === undefined) scanner.fail('Unterminated quoted value');
      if (char === '"') break;
      if (char === '\\') readEscape(scanner, bytes);
      else scanner.index += pushCodePoint(scanner, bytes);
    }
    scanner.index += 1;
    return { value: decode(scanner, bytes), ber: false };
  }
  // Unescaped trailing spaces are insignificant; escaped ones (`\ `) are part of the value.
  let significantLength = 0;
  for (;;) {
    const char = scanner.peek();
    if (char === undefined || char === ',' || char === '+') break;
    if (char === '\\') {
      readEscape(scanner, bytes);
      significantLength = bytes.length;
    } else if (char === '"' || char === ';' || char === '<' || char === '>') {
      scanner.fail(`Unescaped "${char}" in value`);
    } else {
      scanner.index += pushCodePoint(scanner, bytes);
      if (char !== ' ') significantLength = bytes.length;
    }
  }
  return { value: decode(scanner, bytes.slice(0, significantLength)), ber: false };
}

/**
 * Parses an RFC 4514 distinguished name into its RDNs, most specific first.
 * Attribute types are lower-cased; spaces around `,`, `=` and `+` are ignored;
 * `\,`-style and `\2C`-style escapes are resolved (UTF-8 for multi-byte), and
 * RFC 1779 quoted values are tolerated. The empty string is the root DN (`[]`).
 *
 * @throws {DnSyntaxError}
 * @see https://www.rfc-editor.org/rfc/rfc4514#section-3
 */
export function parseDn(input: string): readonly Rdn[] {
  const scanner = new Scanner(input);
  const rdns: Rdn[] = [];
  scanner.skipSpaces();
  if (scanner.done) return rdns;
  for (;;) {
    const rdn: Ava[] = [];
    for (;;) {
      scanner.skipSpaces();
      const type = readType(scanner);
      scanner.skipSpaces();
      if (scanner.peek() !== '=') scanner.fail('Expected "="');
      scanner.index += 1;
      scanner.skipSpaces();
      rdn.push({ type, ...readValue(scanner) });
      scanner.skipSpaces();
      if (scanner.peek() !== '+') break;
      scanner.index += 1;
    }
    rdns.push(rdn);
    if (scanner.done) return rdns;
    if (scanner.peek() !== ',') scanner.fail('Expected "," or "+"');
    scanner.index += 1;
  }
}

/**
 * Whether `input` is a non-empty distinguished name. The root DN (`""`) is refused
 * here because callers use this to tell a group DN from a plain group name.
 */
export function isDn(input: string): boolean {
  return normalOrUndefined(input) !== undefined;
}

/** Enough rounds of case folding and normalisation for any real text to stop changing. */
const MAX_FOLD_ROUNDS = 4;

/**
 * The comparison form of a value: LDAP's caseIgnoreMatch folds case, applies
 * compatibility normalisation and treats runs of spaces as one (RFC 4518), so
 * `CN=Alice  Martin` names the same entry as `cn=alice martin`.
 *
 * Each step can undo the other (`İ` lowers to `i` and a combining dot that NFKC must
 * reorder with the marks after it; NFKC turns `ℌ` into `H`), so both repeat until
 * nothing changes: the normal form then folds to itself, and two spellings of one value,
 * one of them already folded, compare equal.
 */
function foldValue(value: string): string {
  let folded = value;
  for (let round = 0; round < MAX_FOLD_ROUNDS; round += 1) {
    const next = folded.normalize('NFKC').toLowerCase();
    if (next === folded) break;
    folded = next;
  }
  return folded.replace(/ {2,}/g, ' ');
}

function escapeValue(value: string): string {
  let out = '';
  const chars = [...value];
  for (const [index, char] of chars.entries()) {
    const last = index === chars.length - 1;
    if (char === '\0') out += '\\00';
    else if ('"+,;<>\\'.includes(char)) out += `\\${char}`;
    else if ((index === 0 && (char === ' ' || char === '#')) || (last && char === ' ')) out += `\\${char}`;
    else out += char;
  }
  return out;
}

function formatAva(ava: Ava): string {
  return `${ava.type}=${ava.ber ? `#${ava.value}` : escapeValue(foldValue(ava.value))}`;
}

/**
 * A canonical string for a distinguished name: types lower-cased (well-known OIDs
 * named), values case-folded and re-escaped the RFC 4514 way, no optional spaces,
 * and the AVAs of a multi-valued RDN sorted. Two DNs name the same entry when their
 * normal forms are equal. The result is itself a valid DN.
 *
 * @example
 * normalizeDn('CN=Analysts, OU=Groups, DC=corp, DC=example') // 'cn=analysts,ou=groups,dc=corp,dc=example'
 * @throws {DnSyntaxError}
 */
export function normalizeDn(input: string): string {
  return format(parseDn(input));
}

function format(rdns: readonly Rdn[]): string {
  return rdns.map((rdn) => rdn.map(formatAva).sort().join('+')).join(',');
}

/** The normal form of a non-empty DN, or undefined for anything else. */
function normalOrUndefined(input: string): string | undefined {
  try {
    const rdns = parseDn(input);
    return rdns.length > 0 ? format(rdns) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether two strings are the same distinguished name (S23: group DNs are compared
 * as DNs, never as strings). False when either is not a DN.
 *
 * @example
 * sameDn('cn=analysts,ou=groups,dc=corp,dc=example', 'CN=Analysts, OU=Groups, DC=corp, DC=example') // true
 * sameDn('cn=a\\,b,dc=x', 'cn=a,cn=b,dc=x') // false
 */
export function sameDn(a: string, b: string): boolean {
  const normalA = normalOrUndefined(a);
  return normalA !== undefined && normalA === normalOrUndefined(b);
}
