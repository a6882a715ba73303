import pino from 'pino';

/**
 * Structured logger. Personal data (names, phones, ID numbers) is never logged:
 * log ids and codes only. The redact list is a second line of defence.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'water-credit-hub' },
  redact: {
    paths: ['*.legalRepresentative', '*.contactPhone', '*.legalRepresentativeIdNumber', '*.authorization', '*.password', '*.secret', '*.token'],
    censor: '[redacted]',
  },
});
export type Logger = typeof logger;
