import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRestJsonServer, type Route } from './rest-json-server.js';
import { SchedulerService } from './scheduler-service.js';
import type { LocalScheduler, LocalSchedulerOptions } from './types.js';

/**
 * The local EventBridge Scheduler: the Scheduler REST-JSON API over HTTP, schedules persisted
 * under `dataDir`, one-time and rate schedules run on time by starting Step Functions executions
 * through `startExecution`. Throws at once if the saved schedules cannot be read.
 */
export function createLocalScheduler(opts: LocalSchedulerOptions): LocalScheduler {
  const log = opts.log ?? ((line: string) => console.log(line));
  const service = new SchedulerService({ ...opts, log });
  const routes: Route[] = [
    {
      operation: 'CreateSchedule',
      method: 'POST',
      path: '/schedules/{Name}',
      handler: (r) => service.createSchedule(r),
    },
    {
      operation: 'GetSchedule',
      method: 'GET',
      path: '/schedules/{Name}',
      handler: (r) => service.getSchedule(r),
    },
    {
      operation: 'UpdateSchedule',
      method: 'PUT',
      path: '/schedules/{Name}',
      handler: (r) => service.updateSchedule(r),
    },
    {
      operation: 'DeleteSchedule',
      method: 'DELETE',
      path: '/schedules/{Name}',
      handler: (r) => service.deleteSchedule(r),
    },
    {
      operation: 'ListSchedules',
      method: 'GET',
      path: '/schedules',
      handler: (r) => service.listSchedules(r),
    },
    {
      operation: 'CreateScheduleGroup',
      method: 'POST',
      path: '/schedule-groups/{Name}',
      handler: (r) => service.createScheduleGroup(r),
    },
    {
      operation: 'GetScheduleGroup',
      method: 'GET',
      path: '/schedule-groups/{Name}',
      handler: (r) => service.getScheduleGroup(r),
    },
    {
      operation: 'DeleteScheduleGroup',
      method: 'DELETE',
      path: '/schedule-groups/{Name}',
      handler: (r) => service.deleteScheduleGroup(r),
    },
    {
      operation: 'ListScheduleGroups',
      method: 'GET',
      path: '/schedule-groups',
      handler: (r) => service.listScheduleGroups(r),
    },
  ];
  let server: Server | undefined;

  return {
    fired: service.invoker.fired,

    async listen(port, host = '127.0.0.1') {
      const listening = createRestJsonServer(routes, log);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      server = listening;
      service.start();
      const { port: actual } = listening.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${urlHost}:${actual}` };
    },

    async close() {
      const closing = server;
      server = undefined;
      if (closing) {
        const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
        // SDK clients keep connections alive; without this close() waits for them to time out.
        closing.closeAllConnections();
        await closed;
      }
      await service.close();
    },
  };
}
