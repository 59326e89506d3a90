import pino from 'pino'

export type Logger = pino.Logger

/** Structured JSON logs on stdout; credentials are redacted wherever they might appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'apiKey',
        'key',
        'token',
      ],
      censor: '[redacted]',
    },
  })
}
