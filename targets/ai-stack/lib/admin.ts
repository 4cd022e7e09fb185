import { timingSafeEqual } from 'node:crypto';

/**
 * Checks whether an `Authorization` header carries `Bearer <token>` for the expected admin token. The
 * comparison takes the same time for every wrong token of the same length.
 */
export function isAuthorised(header: string | undefined, expectedToken: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match || expectedToken === '') return false;
  const given = Buffer.from(match[1] as string);
  const expected = Buffer.from(expectedToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
