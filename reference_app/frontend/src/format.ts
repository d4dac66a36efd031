/** Formatting for people: money stays a decimal string end to end, never a float. */

export function money(amount: string, currency: string): string {
  return `${currency} ${amount}`;
}

export function dateTime(iso: string | null): string {
  if (iso === null) {
    return "never";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** 0 → "none", 42 → "42 s", 600 → "10 min", 7200 → "2 h", 172800 → "2 days". */
export function age(seconds: number): string {
  if (seconds <= 0) {
    return "none";
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  if (seconds < 3600) {
    return `${Math.round(seconds / 60)} min`;
  }
  if (seconds < 86400) {
    return `${Math.round(seconds / 3600)} h`;
  }
  return `${Math.round(seconds / 86400)} days`;
}

/** "0.5" → "50%". */
export function ratio(value: string): string {
  const number = Number(value);
  return Number.isFinite(number) ? `${Math.round(number * 1000) / 10}%` : value;
}
