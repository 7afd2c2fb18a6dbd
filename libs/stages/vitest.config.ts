import { testTiers } from '@ferry/tooling/vitest';

export default testTiers(import.meta.dirname);
