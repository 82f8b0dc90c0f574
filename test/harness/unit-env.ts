import { UNIT_TEST_MARKER } from './test-kind';

/**
 * Runs before every unit test file (jest.config.js, project `unit`). Unit tests reach neither PostgreSQL nor
 * Temporal: both point at a port where nothing listens, whatever the shell set, so a test that does reach for them
 * fails at once instead of passing against whatever happens to run on this machine. The system-test helpers
 * (test/harness) see the marker and refuse to start, naming the file to rename.
 */
process.env[UNIT_TEST_MARKER] = '1';
process.env.DATABASE_URL = 'postgres://unit-tests-use-no-database@127.0.0.1:1/none';
process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
delete process.env.TEST_DATABASE_URL;
delete process.env.WORKFLOW_BUNDLE_PATH;
process.env.LOG_LEVEL ??= 'silent';
