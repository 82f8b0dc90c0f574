import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { AesGcmPayloadCodec } from './encryption-codec';

/** The module the SDK loads the failure converter from (client, worker, and the workflow bundle). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter of every Temporal client and worker of the project: default JSON payloads, encrypted by the
 * AES-GCM codec, and failures whose message and stack trace are encoded (so encrypted) too. The codec refuses
 * payloads that were not encrypted: a signal or update someone sent in clear (with namespace access, but without
 * the keys) fails the workflow task instead of being taken in. Two processes talking about the same workflow must
 * use the same keys (PAYLOAD_ENCRYPTION_KEYS). PAYLOAD_ENCRYPTION=off (never in production: the config refuses it)
 * leaves payloads and failures in clear text, so the bench can measure what encryption costs; such a process
 * cannot read payloads that others encrypted.
 */
export function temporalDataConverter(
  config: Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS'> & Partial<Pick<Config, 'PAYLOAD_ENCRYPTION'>>,
): DataConverter {
  if (config.PAYLOAD_ENCRYPTION === 'off') return {};
  return { payloadCodecs: [new AesGcmPayloadCodec(config.PAYLOAD_ENCRYPTION_KEYS)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
