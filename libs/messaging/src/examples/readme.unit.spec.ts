import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the README shows the example as it is (copy src/examples/migrate.ts into it)', () => {
  const example = readFileSync(join(import.meta.dirname, 'migrate.ts'), 'utf8');
  const readme = readFileSync(
    join(import.meta.dirname, '..', '..', '..', '..', 'README.md'),
    'utf8',
  );
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
});
