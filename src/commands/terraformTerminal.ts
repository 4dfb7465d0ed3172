import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { shellCommand } from '../core/terraform/cli';
import type { Logger } from '../core/log';

const SHELL_INTEGRATION_TIMEOUT_MS = 10_000;
const TRANSCRIPT_MAX = 512 * 1024;

/** What one command line in the terminal came to. */
export interface TerminalRun {
  commandLine: string;
  /** Undefined when the terminal has no shell integration (the result is unknown). */
  exitCode?: number;
  known: boolean;
  ok: boolean;
}

/** What a terminal is made for: the module's folder and Terraform's environment, and their fingerprint. */
export interface TerminalSpec {
  moduleDir: string;
  env: Record<string, string>;
  /** Identifies module + environment: a terminal's environment is fixed, so another one needs another terminal. */
  fingerprint: string;
}

/**
 * The one integrated terminal named "Terraform": each command line runs there, in the module's folder, with the
 * variables only in that terminal's environment, and its exit code comes back through shell integration.
 */
export class TerraformTerminal implements vscode.Disposable {
  private current?: { terminal: vscode.Terminal; fingerprint: string };
  private text = '';
  private readonly closed: vscode.Disposable;

  constructor(private readonly log: Logger) {
    this.closed = vscode.window.onDidCloseTerminal((t) => { if (t === this.current?.terminal) this.current = undefined; });
  }

  get name(): string | undefined {
    return this.current?.terminal.name;
  }

  /** Everything the terminal's commands printed that shell integration reported (OSC 633 marks included). */
  get transcript(): string {
    return this.text;
  }

  show(preserveFocus = false): void {
    this.current?.terminal.show(preserveFocus);
  }

  /**
   * Runs one terraform command line. With shell integration the exit code is awaited; without it (a shell VS Code
   * cannot integrate with) the line is typed in and the result is unknown.
   */
  async run(spec: TerminalSpec, args: string[]): Promise<TerminalRun> {
    const commandLine = shellCommand(args);
    const terminal = this.ensure(spec);
    terminal.show(true);
    const shell = terminal.shellIntegration ?? await waitForShellIntegration(terminal, SHELL_INTEGRATION_TIMEOUT_MS);
    this.log.info(`Terraform: ${commandLine} (in ${spec.moduleDir})`);
    if (!shell) {
      terminal.sendText(commandLine, true);
      return { commandLine, known: false, ok: false };
    }
    const execution = shell.executeCommand(commandLine);
    // Read from the start, alongside waiting for the end: read after the end, the stream yields nothing.
    const reading = (async () => {
      for await (const chunk of execution.read()) this.text = (this.text + chunk).slice(-TRANSCRIPT_MAX);
    })().catch((err: unknown) => this.log.warn(`Terraform terminal output could not be read: ${String(err)}`));
    const exitCode = await new Promise<number | undefined>((resolve) => {
      const ended = vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.execution !== execution) return;
        ended.dispose();
        closed.dispose();
        resolve(e.exitCode);
      });
      const closed = vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        ended.dispose();
        closed.dispose();
        resolve(undefined);
      });
    });
    // The stream ends with the command; should it not, a missing tail of the transcript must not hold the command.
    await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    return { commandLine, exitCode, known: exitCode !== undefined, ok: exitCode === 0 };
  }

  /** The Terraform terminal, made anew when the module or the environment changed (a terminal's env is fixed). */
  private ensure(spec: TerminalSpec): vscode.Terminal {
    if (this.current && this.current.fingerprint === spec.fingerprint && vscode.window.terminals.includes(this.current.terminal)) {
      return this.current.terminal;
    }
    this.current?.terminal.dispose();
    const terminal = vscode.window.createTerminal({
      name: 'Terraform',
      cwd: spec.moduleDir,
      // The variables live only here; none is a secret (the password is in Secrets Manager, Terraform gets its ARN).
      env: spec.env,
      // bash: shell integration needs it (it is on every Linux and macOS machine).
      shellPath: fs.existsSync('/bin/bash') ? '/bin/bash' : undefined,
      iconPath: new vscode.ThemeIcon('cloud'),
      // Never stored for revival after a reload: a revived terminal would not have this environment.
      isTransient: true,
    });
    this.current = { terminal, fingerprint: spec.fingerprint };
    return terminal;
  }

  dispose(): void {
    this.closed.dispose();
  }
}

function waitForShellIntegration(terminal: vscode.Terminal, timeoutMs: number): Promise<vscode.TerminalShellIntegration | undefined> {
  return new Promise((resolve) => {
    const done = (value: vscode.TerminalShellIntegration | undefined) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(value);
    };
    const listener = vscode.window.onDidChangeTerminalShellIntegration((e) => { if (e.terminal === terminal) done(e.shellIntegration); });
    const timer = setTimeout(() => done(terminal.shellIntegration), timeoutMs);
  });
}
