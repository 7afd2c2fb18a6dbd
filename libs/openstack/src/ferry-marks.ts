/** What Ferry marks its OpenStack resources with, so a retry or a rollback finds them again. */
export const FERRY_TAG = 'ferry';

/** The tag on every image and server of a job. */
export const jobTag = (jobId: string) => `ferry-job-${jobId}`;

/** The name of the port a job creates for a NIC: how a retry or a rollback finds it again. */
export const jobPortName = (jobId: string, nicIndex: number) => `ferry-${jobId}-nic${nicIndex}`;

/** The metadata (volumes, servers) and properties (images) tying a resource to its job. */
export const jobMarks = (jobId: string, vmKey: string) => ({
  ferry_job_id: jobId,
  ferry_vm_key: vmKey,
});

/**
 * After a create, looks again at everything carrying the same marks: any other than the one just
 * made (a lapsed holder's, made meanwhile) is deleted, so one NIC has one port, one disk one image,
 * one job one server.
 */
export async function onlyOne<T extends { id: string }>(
  created: T,
  marked: () => Promise<readonly { id: string }[]>,
  remove: (id: string) => Promise<unknown>,
): Promise<T> {
  for (const twin of await marked()) if (twin.id !== created.id) await remove(twin.id);
  return created;
}
