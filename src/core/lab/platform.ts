import { LabError } from '../errors';

/**
 * Where the local lab can run. It manages MariaDB the POSIX way (a detached mariadbd on a Unix socket, stopped by
 * signals, its folders handed over with chown), so Linux and macOS only. The platform is a parameter so tests can
 * ask about Windows without patching process.platform.
 */
export function localLabUnsupported(platform: NodeJS.Platform = process.platform): LabError | undefined {
  if (platform === 'linux' || platform === 'darwin') return undefined;
  const name = platform === 'win32' ? 'Windows' : platform;
  return new LabError(
    'localLabUnsupported',
    `The local lab cannot run on ${name}: it runs MariaDB as a Linux or macOS server process (a Unix socket, POSIX signals and file ownership). `
      + 'AWS mode works here (RDS, Glue, S3, Athena); local mode also works against a MySQL server of your own (setting lifecycleLab.mysql.host).',
    { nextStep: { label: 'Switch to AWS Mode', command: 'lifecycleLab.switchMode' } },
  );
}
