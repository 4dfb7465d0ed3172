import type { LabConfig } from '../config';
import { LabError } from '../errors';
import type { Logger } from '../log';
import { LocalLab } from './localLab';
import { findDumpFile } from './seed';

export { LocalLab, type LabStatus, type UpOptions } from './localLab';
export { generateClassicmodels, generatedCounts } from './generator';
export { seedFromDump, findDumpFile } from './seed';
export { localLabUnsupported } from './platform';
export { DUMP_COUNTS, CLASSICMODELS_TABLES, type TableCounts } from './db';

/**
 * The LocalLab for a config. The dump is looked up from `codeDir` (the running bundle's folder) upwards,
 * then from the config root, so it is found from dist/, out/ and the repo alike.
 */
export function labFromConfig(config: LabConfig, log: Logger, codeDir: string, dumpFile?: string): LocalLab {
  const dump = dumpFile ?? findDumpFile(codeDir) ?? findDumpFile(config.root);
  if (!dump) {
    throw new LabError('seedFailed', 'The lab dump data/mysqlsampledatabase.sql was not found next to Lifecycle Lab.', {
      nextStep: { label: 'Restore data/mysqlsampledatabase.sql (git checkout data/)' },
    });
  }
  return new LocalLab({ labDir: config.local.labDir, port: config.local.port, dumpFile: dump, log });
}
