/**
 * `npm run doctor`: read-only checks of the AWS account and region a deploy would use. Wiring only:
 * arguments, clients, output, exit code.
 */
import { createClients, resolveRegion } from './clients.js';
import { noRegionReport, runDoctor } from './doctor.js';
import { parseDoctorArgs, readCdkSettings, USAGE, UsageError } from './options.js';
import { type DoctorReport, formatJson, formatText } from './report.js';

function print(report: DoctorReport, json: boolean): void {
  process.stdout.write(json ? formatJson(report) : formatText(report));
  process.exitCode = report.exitCode;
}

let args: ReturnType<typeof parseDoctorArgs>;
let settings: ReturnType<typeof readCdkSettings>;
try {
  args = parseDoctorArgs(process.argv.slice(2));
  settings = readCdkSettings(process.cwd(), args.context);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}

if (args.help) {
  console.log(USAGE);
} else {
  const region = await resolveRegion(args.region, args.profile, process.env);
  if (region === null) {
    print(noRegionReport(args.profile), args.json);
  } else {
    const clients = createClients(region, args.profile);
    try {
      print(
        await runDoctor(clients, { region, profile: args.profile, settings, env: process.env }),
        args.json,
      );
    } catch (error) {
      // Every check turns AWS errors into verdicts: reaching here is a bug of the doctor itself.
      console.error(
        `The doctor stopped on an unexpected error: ${error instanceof Error ? error.stack : error}`,
      );
      process.exitCode = 2;
    } finally {
      clients.destroy();
    }
  }
}
