import { Closed, OneOf, Text, Timestamp, Type, type Infer } from './schema.ts';

export const TOOLS = ['virt-v2v', 'qemu-img'] as const;
export const TOOL_LOG_KINDS = ['command', 'message', 'warning', 'error', 'output'] as const;

/** One line a conversion tool said about a job (secrets removed), as the tool log stream holds it. */
export const ToolLogLine = Closed({
  at: Timestamp,
  tool: OneOf(TOOLS),
  kind: OneOf(
    TOOL_LOG_KINDS,
    'The command as run, a message or warning or error of the tool, or other output.',
  ),
  text: Text(8192),
});
export type ToolLogLine = Infer<typeof ToolLogLine>;

/** A message on a job's tool log subject: the lines said since the last one. */
export const ToolLogBatch = Closed({
  lines: Type.Array(ToolLogLine, { minItems: 1, maxItems: 200 }),
});
export type ToolLogBatch = Infer<typeof ToolLogBatch>;
