import * as vscode from 'vscode';
import type { PipelineEvent } from '../core/run/events';
import { describeEvent, type LineTone } from '../core/run/describe';
import type { LabError } from '../core/errors';

const COLOURS: Record<LineTone, [string, string]> = {
  plain: ['', ''],
  step: ['\x1b[1;36m', '\x1b[0m'],
  ok: ['\x1b[32m', '\x1b[0m'],
  fail: ['\x1b[1;31m', '\x1b[0m'],
  dim: ['\x1b[2m', '\x1b[0m'],
};

/**
 * A Pseudoterminal that streams pipeline runs: each step, rows per table with throughput, the checks and a
 * final success or failure line. Output written before the editor opens the terminal is buffered.
 * Ctrl-C in the terminal cancels the running job.
 */
export class PipelineTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private opened = false;
  private buffer: string[] = [];
  /** Called on Ctrl-C while a run is in progress. */
  onInterrupt?: () => void;
  /** Everything written, for tests and "copy output". */
  readonly transcript: string[] = [];

  open(): void {
    this.opened = true;
    for (const chunk of this.buffer.splice(0)) this.writeEmitter.fire(chunk);
  }

  close(): void {
    this.opened = false;
    this.onClosed?.();
  }

  /** Set by the owner to forget this terminal once the user closes it. */
  onClosed?: () => void;

  handleInput(data: string): void {
    if (data === '\x03') this.onInterrupt?.();
  }

  line(text: string, tone: LineTone = 'plain'): void {
    this.transcript.push(text);
    const [start, end] = COLOURS[tone];
    const chunk = `${start}${text.replace(/\n/g, '\r\n')}${end}\r\n`;
    if (this.opened) this.writeEmitter.fire(chunk);
    else this.buffer.push(chunk);
  }

  /** A run that failed before it reported a step (it could not start): the cause and the next step. */
  failed(err: LabError): void {
    this.line(`FAILED: ${err.message}`, 'fail');
    const step = err.nextStep;
    if (step) this.line(`Next step: ${step.label}${step.setting ? ` (setting ${step.setting})` : ''}`, 'dim');
  }

  event(event: PipelineEvent): void {
    const line = describeEvent(event);
    if (line) this.line(line.text, line.tone);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
