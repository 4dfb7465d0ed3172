/**
 * The parts of VS Code's notebook renderer API (vscode-notebook-renderer) the lab's renderers use, declared here
 * instead of adding a types package for four interfaces.
 */
export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  readonly metadata?: unknown;
  text(): string;
  json(): unknown;
}

export interface RendererContext {
  /** Present when the renderer declares `requiresMessaging` (the table renderer: copy and export through the host). */
  postMessage?(message: unknown): void;
}

export interface RendererApi {
  renderOutputItem(outputItem: OutputItem, element: HTMLElement, signal?: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

export type ActivationFunction = (context: RendererContext) => RendererApi;
