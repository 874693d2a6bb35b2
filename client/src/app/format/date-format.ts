const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "14:05" for today, "24 Nov 2026, 14:05" otherwise, in the user's locale and time zone. */
export function formatMessageTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  return date.toDateString() === now.toDateString() ? timeOnly.format(date) : dateAndTime.format(date);
}

/** "24 Nov 2026, 14:05" in the user's locale and time zone. */
export function formatDateTime(iso: string): string {
  return dateAndTime.format(new Date(iso));
}

/** "in 25 minutes", "2 hours ago". */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  return Math.abs(minutes) < 90 ? relative.format(minutes, 'minute') : relative.format(Math.round(minutes / 60), 'hour');
}
