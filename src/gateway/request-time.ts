/** `requestContext.time` / `requestTime` as API Gateway and function URLs write it. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => String(n).padStart(2, '0');

/** `dd/Mon/yyyy:HH:mm:ss +0000`, always UTC (`22/Nov/2026:01:02:03 +0000`). */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}
