import { InvalidStreamNameError } from './errors.ts';

// `<category>-<id>`: the category has no dash; the id is a NATS subject token.
const STREAM_NAME = /^([a-z][a-z0-9]*)-([A-Za-z0-9][A-Za-z0-9_:=-]*)$/;

export function parseStreamName(streamName: string): { category: string; id: string } {
  const match = STREAM_NAME.exec(streamName);
  if (!match?.[1] || !match[2] || streamName.length > 200)
    throw new InvalidStreamNameError(streamName);
  return { category: match[1], id: match[2] };
}
