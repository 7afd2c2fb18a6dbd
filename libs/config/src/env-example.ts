import { catalogue } from './catalogue.ts';

/** The text of `.env.example`: every setting with its meaning and its default (secrets left blank). */
export function envExample(): string {
  const lines = ['# Ferry configuration. Copy to .env; the process environment overrides it.', ''];
  for (const setting of Object.values(catalogue)) {
    lines.push(`# ${setting.description}`, `${setting.name}=${setting.example}`, '');
  }
  return lines.join('\n');
}
