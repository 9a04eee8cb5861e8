const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s/]+@/gi;

/** Replaces the password of every `scheme://user:password@host` URL inside `text` with `****`. */
export function redactUrlPassword(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1****@');
}
