/**
 * The embedded broker's accounts, kept in the secret store: one for the hub's
 * own publisher and one for Home Assistant. Created on first use with random
 * passwords; `walnut mqtt credentials` shows Home Assistant's again.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../store/secrets';

export const HUB_USER = 'walnut-hub';
export const HOME_ASSISTANT_USER = 'homeassistant';
const USERS = [HUB_USER, HOME_ASSISTANT_USER] as const;

export const brokerSecretName = (user: string): string => `mqtt/users/${user}`;

export interface BrokerAccounts {
  /** Username → password. */
  users: ReadonlyMap<string, string>;
  /** Accounts made now (the hub prints how to use them). */
  created: string[];
}

export async function ensureBrokerAccounts(secrets: SecretStore): Promise<BrokerAccounts> {
  const users = new Map<string, string>();
  const created: string[] = [];
  for (const user of USERS) {
    const name = brokerSecretName(user);
    if (await secrets.setIfAbsent(name, randomBytes(18).toString('base64url'))) created.push(user);
    users.set(user, await secrets.get(name));
  }
  return { users, created };
}

/** Constant-time: a wrong password takes as long whatever its first wrong byte. */
export function passwordMatches(expected: string | undefined, given: Buffer | undefined): boolean {
  if (expected === undefined || given === undefined) return false;
  const want = Buffer.from(expected, 'utf8');
  return want.length === given.length && timingSafeEqual(want, given);
}
