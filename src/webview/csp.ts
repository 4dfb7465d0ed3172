import * as crypto from 'node:crypto';

/** A fresh nonce per page load (never Math.random). */
export function createNonce(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

export interface CspOptions {
  /** Allow `data:` images (e.g. chart exports drawn into an <img>). */
  dataImages?: boolean;
}

/**
 * The Content-Security-Policy of every Lifecycle Lab webview: nothing by default; scripts only with the page's
 * nonce; styles, images and fonts only from the extension's own resources (`webview.cspSource`). No inline
 * styles, no eval, no network.
 */
export function buildCsp(webview: { cspSource: string }, nonce: string, options: CspOptions = {}): string {
  const source = webview.cspSource;
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source}`,
    `img-src ${source}${options.dataImages ? ' data:' : ''}`,
    `font-src ${source}`,
  ].join('; ');
}
