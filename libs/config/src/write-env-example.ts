// Writes `.env.example` at the workspace root from the settings catalogue (the single source).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envExample } from './env-example.ts';

writeFileSync(join(import.meta.dirname, '..', '..', '..', '.env.example'), envExample());
