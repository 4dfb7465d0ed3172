/** Where core code writes its diagnostics; the editor backs it with the output channel, the CLI with stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function stderrLogger(verbose = false): Logger {
  const write = (level: string, message: string) => process.stderr.write(`[${level}] ${message}\n`);
  return {
    debug: (m) => verbose && write('debug', m),
    info: (m) => verbose && write('info', m),
    warn: (m) => write('warn', m),
    error: (m, err) => write('error', err instanceof Error ? `${m}: ${err.message}` : m),
  };
}
