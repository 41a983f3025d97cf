// deleteDriftWatch: an offboarded deployment is no longer watched. The watch is a Temporal
// Schedule (driftWatchScheduleId); one that is already gone (or never made) is success.
import { ScheduleNotFoundError } from '@temporalio/client';
import { driftWatchScheduleId } from '../spec/derived.js';
import { currentActivityContext, guarded, type ActivityDeps } from './context.js';
import type { StatusChange } from './types.js';

export function driftWatchActivities(deps: ActivityDeps) {
  return {
    async deleteDriftWatch(deploymentId: string): Promise<StatusChange> {
      return guarded(deps, async () => {
        const client = currentActivityContext()?.client;
        if (!client) throw new Error('no Temporal client in this activity context');
        try {
          await client.schedule.getHandle(driftWatchScheduleId(deploymentId)).delete();
          return 'changed';
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) return 'absent';
          throw err;
        }
      });
    },
  };
}
