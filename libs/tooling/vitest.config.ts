import { testTiers } from './src/vitest.ts';

export default testTiers(import.meta.dirname);
