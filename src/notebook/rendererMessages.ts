/**
 * What the notebook's table renderer (media/notebook/table.ts) may send the controller, as one schema: a copy of the
 * table's text, or the export of a cut result by its id. Anything else is refused (an output of the lab's mime type
 * can be shown in any notebook, and a renderer message is untyped data).
 */
import * as v from 'valibot';

/** The clipboard text of one output: a shown table is at most a few thousand rows; far past that it is not the renderer's. */
const COPY_MAX_CHARS = 50_000_000;

// Each message completes "<field> must be …".
const RendererMessageSchema = v.variant('type', [
  v.strictObject({ type: v.literal('copy'), text: v.pipe(v.string('text'), v.maxLength(COPY_MAX_CHARS, `at most ${COPY_MAX_CHARS} characters`)) }, 'a copy message: type and text only'),
  v.strictObject({ type: v.literal('export'), resultId: v.pipe(v.string('a result id'), v.uuid('a result id (a UUID)')) }, 'an export message: type and resultId only'),
], 'a copy or export message');

export type RendererMessage = v.InferOutput<typeof RendererMessageSchema>;

/** The message, or why it is refused (for the log). */
export function parseRendererMessage(raw: unknown): { message: RendererMessage } | { refused: string } {
  const parsed = v.safeParse(RendererMessageSchema, raw);
  if (parsed.success) return { message: parsed.output };
  const issue = parsed.issues[0];
  const field = v.getDotPath(issue);
  return { refused: `${field ?? 'the message'} must be ${issue.message} (got ${issue.received})` };
}
