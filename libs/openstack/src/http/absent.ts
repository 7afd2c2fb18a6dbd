import { OpenStackError } from './openstack-error.ts';

/** The call's result, or undefined when the thing is not there (404). */
export async function absentOn404<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OpenStackError && error.status === 404) return undefined;
    throw error;
  }
}
