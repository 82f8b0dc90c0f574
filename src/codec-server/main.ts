import { loadConfigOrExit } from '../config';
import { listen, onShutdownSignal } from '../http/server';
import { createLogger } from '../logger';
import { AesGcmPayloadCodec } from '../temporal/encryption-codec';
import { codecCorsOrigins, createCodecServerApp } from './app';

/** `npm run codec-server`: decodes payloads for the Temporal Web UI and CLI, on CODEC_PORT (loopback by default). */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger('codec-server', config.LOG_LEVEL);
  const corsOrigins = codecCorsOrigins(config);
  const app = createCodecServerApp({
    // The Web UI shows whatever a history holds, also a payload someone sent in clear (which the worker refused).
    codec: new AesGcmPayloadCodec(config.PAYLOAD_ENCRYPTION_KEYS, { passPlaintext: true }),
    logger,
    corsOrigins,
    authToken: config.CODEC_AUTH_TOKEN,
  });
  const host = config.CODEC_HOST;
  const http = await listen(app, config.CODEC_PORT, host);
  logger.info(
    { port: http.port, corsOrigins, auth: config.CODEC_AUTH_TOKEN ? 'bearer token' : 'none' },
    `codec server on http://${host}:${http.port}/codec`,
  );
  onShutdownSignal(
    async () => {
      await http.close();
      logger.info('codec server stopped');
    },
    (msg) => logger.info(msg),
  );
}

main().catch((err) => {
  process.stderr.write(`codec server failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
