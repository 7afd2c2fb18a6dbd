// `npm start` runs this first: it refuses to start Ferry on a bad value and says which.
import { ALL_SETTINGS, ConfigError, loadConfig } from './load.ts';
import { openGatewayProblem } from './open-gateway.ts';

try {
  const config = loadConfig(ALL_SETTINGS);
  const openProblem = openGatewayProblem(config.GATEWAY_HOST, config.OIDC_ISSUER);
  if (openProblem) {
    process.stderr.write(`ferry: ${openProblem}\n`);
    process.exit(2);
  }
  const flag = (on: boolean) => (on ? 'on' : 'off (dry run)');
  process.stdout.write(
    [
      'configuration ok',
      `  real conversion:      ${flag(config.ENABLE_REAL_CONVERSION)}`,
      `  OpenStack deployment: ${flag(config.ENABLE_OPENSTACK_DEPLOYMENT)}`,
      `  rollback:             ${config.ENABLE_ROLLBACK ? 'on' : 'off'}`,
      `  output:               ${config.MIGRATION_OUTPUT_DIR}`,
      '',
    ].join('\n'),
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
